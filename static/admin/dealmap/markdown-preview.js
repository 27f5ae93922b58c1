// Write / Preview switch for the admin's Markdown fields. The HTML comes from
// the server's sanitised renderer (the one the public pages use), never from
// the browser, so the preview shows exactly what visitors will see.
"use strict";

function markdownPreviewToken(area) {
  const input = area.form && area.form.querySelector("input[name=csrfmiddlewaretoken]");
  return input ? input.value : "";
}

function setupMarkdownPreview(area) {
  const tabs = document.createElement("div");
  tabs.className = "markdown-tabs";
  const write = document.createElement("button");
  write.type = "button";
  write.textContent = "Write";
  write.className = "markdown-tab is-active";
  const preview = document.createElement("button");
  preview.type = "button";
  preview.textContent = "Preview";
  preview.className = "markdown-tab";
  tabs.append(write, preview);
  const panel = document.createElement("div");
  panel.className = "markdown-preview";
  panel.hidden = true;
  area.before(tabs);
  area.after(panel);

  function show(previewing) {
    area.hidden = previewing;
    panel.hidden = !previewing;
    write.classList.toggle("is-active", !previewing);
    preview.classList.toggle("is-active", previewing);
  }

  preview.addEventListener("click", async () => {
    const body = new FormData();
    body.append("text", area.value);
    panel.textContent = "Rendering…";
    show(true);
    try {
      const response = await fetch(area.dataset.markdownPreview, {
        method: "POST",
        body,
        credentials: "same-origin",
        headers: { "X-CSRFToken": markdownPreviewToken(area) },
      });
      const data = await response.json();
      if (!response.ok) {
        panel.textContent = data.error || "The preview could not be rendered.";
      } else if (data.html) {
        panel.innerHTML = data.html; // sanitised by the server (nh3)
      } else {
        panel.textContent = "Nothing to preview yet.";
      }
    } catch (error) {
      panel.textContent = "The preview could not be rendered: " + error.message;
    }
  });
  write.addEventListener("click", () => show(false));
}

document.addEventListener("DOMContentLoaded", () => {
  document.querySelectorAll("textarea[data-markdown-preview]").forEach(setupMarkdownPreview);
});
