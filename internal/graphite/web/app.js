// ringvault's metric browser: walks the tree with /metrics/find
// (format=treejson) and draws the chosen targets with /render?format=png.
"use strict";

const targets = [];

function el(tag, attrs, text) {
  const e = document.createElement(tag);
  for (const k in attrs || {}) e.setAttribute(k, attrs[k]);
  if (text !== undefined) e.textContent = text;
  return e;
}

async function children(prefix) {
  const q = prefix ? prefix + ".*" : "*";
  const r = await fetch("/metrics/find?format=treejson&query=" + encodeURIComponent(q));
  if (!r.ok) throw new Error(await r.text());
  return r.json();
}

async function expand(li, prefix) {
  const ul = el("ul");
  li.appendChild(ul);
  let nodes;
  try {
    nodes = await children(prefix);
  } catch (err) {
    ul.appendChild(el("li", {}, "error: " + err.message));
    return;
  }
  for (const n of nodes) {
    const item = el("li");
    const label = el("span", { class: n.leaf ? "leaf" : "branch", title: n.id }, n.text);
    item.appendChild(label);
    label.addEventListener("click", () => {
      if (n.leaf) {
        toggle(n.id);
        label.classList.toggle("selected", targets.includes(n.id));
        return;
      }
      if (item.classList.toggle("open")) {
        expand(item, n.id);
      } else {
        const sub = item.querySelector("ul");
        if (sub) sub.remove();
      }
    });
    ul.appendChild(item);
  }
}

function toggle(t) {
  const i = targets.indexOf(t);
  if (i >= 0) targets.splice(i, 1); else targets.push(t);
  draw();
}

function draw() {
  const list = document.getElementById("targets");
  list.textContent = "";
  for (const t of targets) {
    const li = el("li", {}, t);
    const rm = el("button", {}, "remove");
    rm.addEventListener("click", () => toggle(t));
    li.appendChild(rm);
    list.appendChild(li);
  }
  const img = document.getElementById("graph");
  const status = document.getElementById("status");
  if (targets.length === 0) {
    img.removeAttribute("src");
    status.textContent = "Pick metrics in the tree or type a target.";
    return;
  }
  const width = Math.max(330, Math.min(1600, document.querySelector("section").clientWidth - 30));
  const p = new URLSearchParams();
  for (const t of targets) p.append("target", t);
  p.set("from", document.getElementById("range").value);
  p.set("format", "png");
  p.set("width", String(width));
  p.set("height", String(Math.round(width * 0.45)));
  p.set("_t", String(Date.now()));
  img.onerror = async () => {
    const r = await fetch(img.src);
    status.textContent = r.ok ? "" : "error: " + (await r.text());
  };
  img.onload = () => { status.textContent = ""; };
  img.src = "/render?" + p.toString();
}

document.getElementById("range").addEventListener("change", draw);
document.getElementById("add").addEventListener("click", () => {
  const t = document.getElementById("target").value.trim();
  if (t && !targets.includes(t)) toggle(t);
});
document.getElementById("clear").addEventListener("click", () => {
  targets.length = 0;
  document.querySelectorAll("span.selected").forEach((s) => s.classList.remove("selected"));
  draw();
});
expand(document.getElementById("tree"), "");
draw();
