#!/usr/bin/env python3
"""Renders cases.json with Jinja2 exactly as transformers' apply_chat_template does
(ImmutableSandboxedEnvironment, trim_blocks, lstrip_blocks, loopcontrols, its tojson and
raise_exception), writing expected.json. ChatTemplateTest asserts the Java renderer matches.
Run from this directory: python3 render_expected.py"""
import json
from jinja2.exceptions import TemplateError
from jinja2.ext import loopcontrols
from jinja2.sandbox import ImmutableSandboxedEnvironment


def raise_exception(message):
    raise TemplateError(message)


def tojson(x, ensure_ascii=False, indent=None, separators=None, sort_keys=False):
    return json.dumps(x, ensure_ascii=ensure_ascii, indent=indent, separators=separators, sort_keys=sort_keys)


env = ImmutableSandboxedEnvironment(trim_blocks=True, lstrip_blocks=True, extensions=[loopcontrols])
env.filters["tojson"] = tojson
env.globals["raise_exception"] = raise_exception

out = {}
for case in json.load(open("cases.json")):
    cfg = json.load(open(case["config"] + "-tokenizer_config.json"))
    template = env.from_string(cfg["chat_template"])
    kwargs = dict(messages=case["messages"], add_generation_prompt=case["add_generation_prompt"],
                  bos_token=cfg.get("bos_token") or "", eos_token=cfg.get("eos_token") or "")
    if "tools" in case:
        kwargs["tools"] = case["tools"]
    try:
        out[case["name"]] = {"text": template.render(**kwargs)}
    except TemplateError as e:
        out[case["name"]] = {"error": str(e)}
json.dump(out, open("expected.json", "w"), indent=2, ensure_ascii=False)
