"""Text analysis at the bottom of the dependency graph: tokens, entities, time
expressions and the slot grammar. Imports nothing from recall, lifecycle or store,
so both recall and lifecycle (and the write pipeline) can build on it."""
