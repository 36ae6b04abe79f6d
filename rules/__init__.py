"""The shipped knowledge base: YAML data and JSON Schemas, read through importlib.resources."""
