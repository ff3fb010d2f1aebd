"""Recall: from a question (or a live conversation) to ranked records.

``pipeline.Retriever`` runs one search: query analysis (``query``), candidate
generation by the *signals* (``signals``, run by ``engram``), reciprocal rank fusion
(``fusion``), then reranking (``facts``, ``rerank``) and confidence (``confidence``).
Context recall from a dialogue is ``context``; the keys records are indexed under at
ingest are built by ``expand``.

**One place for each signal.** Every ranking the ``engram`` method fuses is one
:class:`~engramdb.recall.signals.Signal` in :data:`~engramdb.recall.signals.SIGNALS`:
its name, default weight (0: off), what it does at query time (``rank``), the key
kinds it needs at ingest (``needs``) and whether it runs narrowed to the named
speaker. From that list follow the defaults (``RecallConfig().weights``), the
ablation's rows (``engramdb.bench._variants``) and the ingest work (a key kind is
built only for a signal that is on: ``signals.ingest_kinds``).

To add a signal:

1. write ``def _mine(p: Probe) -> list[Match] | None`` in ``signals.py`` (the probe
   carries the store, scope, analysed query, lazy query vector, ``k``, filters,
   weights and the rankings of the signals before it);
2. append ``Signal("mine", 0.0, _mine, "what it ranks", needs=(...))`` to
   ``SIGNALS`` (after any signal whose ranking it reads); a new key kind is a
   ``expand.KeyKind`` in ``needs`` (a non-lexical one also in the store's
   ``GRAPH_KEY_KINDS``);
3. measure it: ``engram bench locomo FILE --variant plus-mine`` (the row exists
   already), and raise its default weight only if it helps.

Users switch signals with ``RecallConfig().without("time")`` or
``RecallConfig().with_signal("graph", 0.6)``; an unknown name is an
``InvalidInputError``.
"""
