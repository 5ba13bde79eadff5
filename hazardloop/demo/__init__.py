"""Demo and province-scale data: the `load_demo` and `demo_logins` commands and the province
load generator. It sits on top of every app: the demo district is built by the per-app
`demo.py` builders (registered with `core.demo.demo_step`), which this package runs; nothing
imports this package back."""
