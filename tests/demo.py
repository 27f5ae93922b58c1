"""A small, realistic slice of the Decentralized AI map for page and browser tests.

Facts follow shared content notes (names, layers, dated and sourced figures); the
prose is short and our own. Beside the published content it holds a draft
project and an unpublished map, so every page can be checked for leaks.
"""

import datetime

from dealmap.editorial import Status
from layers.models import Layer, Map
from projects.models import Project, Stage, Tag, TeamMember, TractionMetric

D = datetime.date

LAYERS = [
    ("compute", "Compute", "Decentralized GPU supply."),
    ("networks", "Open-intelligence networks", "Networks and models owned by their users."),
    ("inference", "Inference", "Running open models privately and cheaply."),
    ("payments", "Agent payments & identity", "How agents pay and prove who they are."),
]

PROJECTS = [
    # layer, slug, name, one-liner, extra fields
    (
        "compute",
        "aethir",
        "Aethir",
        "Distributed enterprise GPU cloud for AI and gaming",
        {"stage": Stage.LIVE_NETWORK, "token_symbol": "ATH", "founded_year": 2021},
    ),
    (
        "compute",
        "io-net",
        "io.net",
        "Marketplace pooling idle GPUs into on-demand clusters",
        {"stage": Stage.SERIES_A, "token_symbol": "IO", "founded_year": 2022},
    ),
    (
        "networks",
        "bittensor",
        "Bittensor",
        "Subnets compete for TAO emissions to produce AI services",
        {
            "stage": Stage.OPEN_PROTOCOL,
            "token_symbol": "TAO",
            "founded_year": 2019,
            "headquarters": "Toronto",
            "country": "CA",
            "website": "https://bittensor.com",
            "github_url": "https://github.com/opentensor",
        },
    ),
    (
        "networks",
        "sentient",
        "Sentient",
        "Community-owned open AGI with model fingerprinting",
        {"stage": Stage.SEED, "founded_year": 2024},
    ),
    ("networks", "tensorplex", "Tensorplex Labs", "", {"is_portfolio": True}),
    (
        "inference",
        "venice",
        "Venice",
        "Private, uncensored inference over open models",
        {
            "stage": Stage.GROWTH,
            "token_symbol": "VVV",
            "founded_year": 2024,
            "country": "US",
            "headquarters": "Sheridan, WY",
            "website": "https://venice.ai",
        },
    ),
    ("inference", "chutes", "Chutes", "Serverless inference on decentralized GPUs", {}),
    (
        "inference",
        "ritual",
        "Ritual",
        "Brings model inference to smart contracts",
        {"is_portfolio": True, "stage": Stage.SERIES_A, "founded_year": 2023},
    ),
    (
        "payments",
        "x402",
        "x402",
        "Agents pay per request in stablecoins over HTTP 402",
        {"stage": Stage.OPEN_PROTOCOL, "country": "US", "docs_url": "https://x402.org"},
    ),
    (
        "payments",
        "skyfire",
        "Skyfire",
        "Payments and identity rails for agents",
        {"stage": Stage.SEED, "founded_year": 2024, "country": "US"},
    ),
]


def build_demo(*, with_hidden=True):
    """Create the demo content; returns the published map."""
    deai = Map.objects.create(
        slug="decentralized-ai",
        name="Decentralized AI",
        tagline="Who builds open, user-owned AI, layer by layer",
        intro="A starting edition that the investment team curates. **Facts carry sources.**",
        status=Status.PUBLISHED,
    )
    layers = {
        slug: Layer.objects.create(map=deai, slug=slug, name=name, description=text, position=i)
        for i, (slug, name, text) in enumerate(LAYERS)
    }
    tags = {
        slug: Tag.objects.create(slug=slug, name=name)
        for slug, name in [("gpu", "GPU"), ("privacy", "Privacy"), ("subnet", "Subnet")]
    }
    projects = {}
    for position, (layer, slug, name, one_liner, extra) in enumerate(PROJECTS):
        projects[slug] = Project.objects.create(
            layer=layers[layer],
            slug=slug,
            name=name,
            one_liner=one_liner,
            position=position,
            status=Status.PUBLISHED,
            **extra,
        )
    projects["aethir"].tags.add(tags["gpu"])
    projects["io-net"].tags.add(tags["gpu"])
    projects["venice"].tags.add(tags["privacy"])
    projects["chutes"].tags.add(tags["subnet"], tags["gpu"])
    projects["bittensor"].tags.add(tags["subnet"])

    bittensor = projects["bittensor"]
    bittensor.description = (
        "A network of **subnets**, each a market where miners compete to produce an AI "
        "service and validators score them.\n\n<script>alert('x')</script>"
    )
    bittensor.our_view = "Open networks can out-train closed labs when incentives line up."
    bittensor.our_view_date = D(2026, 3, 1)
    bittensor.save()
    TeamMember.objects.create(
        project=bittensor, name="Jacob Steeves", role="Co-founder", is_founder=True, position=0
    )
    TeamMember.objects.create(
        project=bittensor, name="Ala Shaabana", role="Co-founder", is_founder=True, position=1
    )
    TeamMember.objects.create(
        project=projects["venice"], name="Erik Voorhees", role="Founder", is_founder=True
    )
    TractionMetric.objects.create(
        project=bittensor, label="subnets", value=128, unit="subnets", as_of=D(2026, 2, 27),
        source_url="https://example.org/bittensor-subnets", is_headline=True,
    )  # fmt: skip
    x402 = projects["x402"]
    for as_of, value in [(D(2025, 10, 24), 239505), (D(2026, 3, 1), 35000000),
                         (D(2026, 6, 14), 161000000)]:  # fmt: skip
        TractionMetric.objects.create(
            project=x402, label="machine payments settled", value=value, unit="payments",
            qualifier="over", as_of=as_of, source_url=f"https://example.org/x402/{as_of}",
            is_headline=True,
        )  # fmt: skip
    TractionMetric.objects.create(
        project=projects["tensorplex"], label="stTAO staked", value=4300000, unit="USD",
        as_of=D(2025, 7, 30), source_url="https://example.org/tensorplex", is_headline=True,
    )  # fmt: skip

    if with_hidden:
        build_hidden(layers["inference"])
    return deai


def build_hidden(published_layer):
    """Content no visitor may see: a draft, an archived project, a project on a draft map."""
    draft = Project.objects.create(
        layer=published_layer, slug="secret-draft", name="Secret Draftcoin",
        one_liner="Unpublished draft", status=Status.DRAFT, country="KP", position=7,
    )  # fmt: skip
    draft.tags.add(Tag.objects.create(slug="stealth", name="Stealthtag"))
    Project.objects.create(
        layer=published_layer, slug="old-archived", name="Archivedcoin",
        one_liner="Archived long ago", status=Status.ARCHIVED,
    )  # fmt: skip
    draft_map = Map.objects.create(
        slug="physical-ai", name="Physical AI", tagline="Draft map", status=Status.DRAFT
    )
    robots = Layer.objects.create(map=draft_map, slug="robots", name="Robots")
    Project.objects.create(
        layer=robots, slug="hidden-robot", name="Hiddenbot", one_liner="On a draft map",
        status=Status.PUBLISHED,
    )  # fmt: skip


HIDDEN_NAMES = ["Secret Draftcoin", "Archivedcoin", "Hiddenbot", "Physical AI", "Stealthtag"]
HIDDEN_SLUGS = ["secret-draft", "old-archived", "hidden-robot", "physical-ai"]
