"""The catalogue: learning offers, providers (institutions) and places, with search."""
