#!/usr/bin/env python3
"""Writes the README's role sections from the bundles' own manifests, so
they cannot go stale: what each role sets up (the manifest's opening
comment), its variables (type, list, default, secret, and the comment on
the type line), its files and services, and the example role file.

  scripts/role-docs.py          rewrite README.md between the markers
  scripts/role-docs.py --check  exit 1 when README.md is not up to date
"""
import os
import re
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
ROLES = ["dns-sync", "dns-internal", "route53d"]
BEGIN, END = "<!-- roles:begin (scripts/role-docs.py) -->", "<!-- roles:end -->"


def parse(path):
    intro, sections, cur = [], [], None
    for raw in open(path, encoding="utf-8"):
        line = raw.rstrip("\n")
        if cur is None and not sections and line.startswith(";"):
            intro.append(line[1:].strip())
            continue
        m = re.match(r"^\[(.+)\]\s*$", line)
        if m:
            cur = {"head": m.group(1), "keys": {}, "notes": {}}
            sections.append(cur)
            continue
        m = re.match(r"^([A-Za-z0-9_.-]+)\s*=\s*(.*)$", line)
        if m and cur is not None:
            value, _, note = m.group(2).partition(" ;")
            cur["keys"][m.group(1)] = value.strip()
            if note.strip():
                cur["notes"][m.group(1)] = note.strip()
    return intro, sections


def describe(role):
    intro, sections = parse(os.path.join(ROOT, "templates", role, "manifest.ini"))
    out = ["### %s" % role, ""]
    para = " ".join(l for l in intro if l)
    out += [para, ""]
    out += ["| variable | type | default | notes |", "|---|---|---|---|"]
    for s in sections:
        if not s["head"].startswith("var "):
            continue
        k = s["keys"]
        t = k.get("type", "?") + (" list" if k.get("list") == "yes" else "")
        if k.get("type") == "section":
            t = "section `[%s \"NAME\"]` (name: %s)" % (s["head"][4:], k.get("key-type", "string"))
        notes = s["notes"].get("type", "")
        if k.get("secret") == "yes":
            notes = ("**secret**; " + notes).rstrip("; ")
        default = k.get("default")
        default = "`%s`" % default if default else ("(empty)" if "default" in k else "required")
        out.append("| `%s` | %s | %s | %s |" % (s["head"][4:], t, default, notes.replace("|", "\\|")))
    def file_line(s):
        k, path, notes = s["keys"], s["head"][5:], []
        if "foreach" in k:
            path = path.replace("{{name}}", "NAME")
            notes.append('one per [%s "NAME"]' % k["foreach"])
        if k.get("replace") == "no":
            notes.append("only when absent")
        if "os-family" in k:
            notes.insert(0, k["os-family"])
        return path + (" (%s)" % "; ".join(notes) if notes else "")
    files = sorted({file_line(s) for s in sections if s["head"].startswith("file ")})
    svcs = [s["head"][8:] for s in sections if s["head"].startswith("service ")]
    out += ["", "Files: " + ", ".join("`%s`" % f for f in files) + ".",
            "Services enabled: " + (", ".join("`%s`" % s for s in svcs) or "none") + ".", "",
            "Example (`roles/%s.role`):" % role, "", "```ini"]
    out += open(os.path.join(ROOT, "roles", role + ".role"), encoding="utf-8").read().rstrip("\n").split("\n")
    out += ["```", ""]
    return out


def main():
    readme = os.path.join(ROOT, "README.md")
    text = open(readme, encoding="utf-8").read()
    body = "\n".join([BEGIN, ""] + sum((describe(r) for r in ROLES), []) + [END])
    if BEGIN not in text:
        sys.exit("README.md has no role markers")
    new = re.sub(re.escape(BEGIN) + r".*?" + re.escape(END), lambda m: body, text, flags=re.S)
    if "--check" in sys.argv:
        if new != text:
            sys.exit("README.md role sections are out of date: run scripts/role-docs.py")
        return
    open(readme, "w", encoding="utf-8").write(new)


main()
