"""The model catalog as package data (installed as ``subtrans.catalog``): one TOML file per model."""
