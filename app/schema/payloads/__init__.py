"""Mutation payloads, by area: what a mutation returns, with its `errors: [UserError!]!`."""
