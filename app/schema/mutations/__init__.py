"""The Mutation root's parts, by area (app/schema/mutation.py puts them together)."""
