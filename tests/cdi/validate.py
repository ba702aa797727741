#!/usr/bin/env python3
"""Validate CDI spec files (JSON or the YAML `rnpu cdi generate` writes)
against tests/cdi/cdi-0.5.0.schema.json.  Exit 0 when all are valid, 1 with
each error on stderr otherwise.

Usage: validate.py SCHEMA FILE..."""
import json
import sys

import jsonschema
import yaml  # python3-yaml (tools/deps/cdi.list): the YAML form of the spec


def load(path):
    with open(path, encoding="utf-8") as f:
        text = f.read()
    return json.loads(text) if path.endswith(".json") else yaml.safe_load(text)


def main():
    if len(sys.argv) < 3:
        print(__doc__, file=sys.stderr)
        return 2
    with open(sys.argv[1], encoding="utf-8") as f:
        schema = json.load(f)
    jsonschema.Draft7Validator.check_schema(schema)
    validator = jsonschema.Draft7Validator(schema)
    bad = 0
    for path in sys.argv[2:]:
        errors = sorted(validator.iter_errors(load(path)), key=lambda e: list(e.path))
        for e in errors:
            where = "/".join(str(p) for p in e.path) or "(top)"
            print(f"{path}: {where}: {e.message}", file=sys.stderr)
        bad += bool(errors)
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
