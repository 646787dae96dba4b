"""Mutation inputs, by area. Strawberry types only: a resolver turns one into its use case's
plain command (app/resolvers)."""
