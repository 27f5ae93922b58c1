"""A realistic landscape2 data file (landscape.yml) of any size, made up and deterministic.

The tests import small ones; the benchmark imports 2,500 items:

    .venv/bin/python -m tests.landscape2_data --items 2500 > /tmp/landscape.yml
    time .venv/bin/python manage.py import_landscape2 /tmp/landscape.yml --map cloud-native
"""

import argparse
import random
import sys

import yaml

CATEGORIES = {
    "Provisioning": ["Automation & Configuration", "Container Registry", "Security & Compliance",
                     "Key Management"],
    "Runtime": ["Cloud Native Storage", "Container Runtime", "Cloud Native Network"],
    "Orchestration & Management": ["Scheduling & Orchestration", "Coordination & Service Discovery",
                                   "Remote Procedure Call", "Service Proxy", "API Gateway",
                                   "Service Mesh"],
    "App Definition and Development": ["Database", "Streaming & Messaging",
                                       "Application Definition & Image Build",
                                       "Continuous Integration & Delivery"],
    "Observability and Analysis": ["Monitoring", "Logging", "Tracing", "Chaos Engineering",
                                   "Continuous Optimization", "Feature Flagging"],
    "Platform": ["Certified Kubernetes - Distribution", "Certified Kubernetes - Hosted",
                 "PaaS/Container Service"],
    "Serverless": ["Framework", "Installable Platform", "Hosted Platform", "Tools"],
    "CNAI": ["General Orchestration", "ML Serving", "Vector Databases", "Model/LLM Observability",
             "Data Science", "AutoML"],
}  # fmt: skip
SYLLABLES = [
    "ku", "be", "flux", "cil", "ium", "ar", "go", "hel", "m", "pro", "me", "the", "us", "en",
    "voy", "lin", "ker", "d", "vit", "ess", "ten", "sor", "dra", "nat", "s", "kro", "ne", "zot",
    "har", "bor", "ja", "eger", "tik", "v", "open", "cost",
]  # fmt: skip
SUFFIXES = ["", "", "", " Cloud", " DB", " Mesh", "IO", " Labs", ".js", " Operator", " Hub"]
MATURITY = ["graduated", "incubating", "sandbox", None, None, None]
VERBS = ["Runs", "Secures", "Observes", "Schedules", "Stores", "Routes", "Builds", "Tests"]
OBJECTS = [
    "containers", "service traffic", "time series", "cloud costs", "AI workloads",
    "event streams", "secrets", "policies", "vector embeddings", "build pipelines",
]  # fmt: skip


def make_landscape(items=2500, seed=7):
    """A landscape2 document with about `items` items spread over the categories above."""
    rng = random.Random(seed)  # noqa: S311 -- made-up data, not secrets
    subcategories = [(c, s) for c, subs in CATEGORIES.items() for s in subs]
    buckets = {key: [] for key in subcategories}
    names = set()
    for n in range(items):
        name = _name(rng, names, n)
        category, subcategory = subcategories[rng.randrange(len(subcategories))]
        buckets[(category, subcategory)].append(_item(rng, name, category, subcategories))
    return {
        "categories": [
            {
                "name": category,
                "subcategories": [{"name": s, "items": buckets[(category, s)]} for s in subs],
            }
            for category, subs in CATEGORIES.items()
        ]
    }


def _name(rng, taken, n):
    while True:
        word = "".join(rng.choice(SYLLABLES) for _ in range(rng.randint(2, 3)))
        name = word.capitalize() + rng.choice(SUFFIXES)
        if name.lower() not in taken:
            taken.add(name.lower())
            return name
        if rng.random() < 0.1:  # a crowded namespace: number it, as real landscapes do
            name = f"{name} {n}"
            if name.lower() not in taken:
                taken.add(name.lower())
                return name


def _item(rng, name, category, subcategories):
    handle = "".join(ch for ch in name.lower() if ch.isalnum())
    item = {
        "name": name,
        "homepage_url": f"https://{handle}.example.org/",
        "logo": f"{handle}.svg",
        "description": f"{rng.choice(VERBS)} {rng.choice(OBJECTS)} for {category.lower()}. "
        f"{name} is maintained by its community and used in production.",
    }
    if rng.random() < 0.8:
        item["repo_url"] = f"https://github.com/{handle}/{handle}"
    if rng.random() < 0.6:
        item["twitter"] = f"https://twitter.com/{handle}"
    if rng.random() < 0.5:
        item["crunchbase"] = f"https://www.crunchbase.com/organization/{handle}"
    if maturity := rng.choice(MATURITY):
        item["project"] = maturity
        item["extra"] = {
            "accepted": f"20{rng.randint(16, 24)}-0{rng.randint(1, 9)}-1{rng.randint(0, 9)}"
        }
    if rng.random() < 0.05:
        other = subcategories[rng.randrange(len(subcategories))]
        item["second_path"] = [f"{other[0]} / {other[1]}"]
    return item


def dump(document):
    return yaml.safe_dump(document, sort_keys=False, allow_unicode=True)


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--items", type=int, default=2500)
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()
    sys.stdout.write(dump(make_landscape(args.items, args.seed)))
