"""A SentencePiece tokenizer trained here, with BOS/EOS handling.

Newlines and runs of spaces matter in fortunes (poems, signatures, indented quotes), so the
tokenizer keeps them: no whitespace normalisation, `\\n` as a piece of its own, and byte
fallback so any text, even characters never seen in training, encodes and decodes losslessly.
"""

import io
from pathlib import Path
from typing import Iterable, List, Optional, Sequence, Union

import sentencepiece as spm

PAD_ID, BOS_ID, EOS_ID, UNK_ID = 0, 1, 2, 3


class Tokenizer:
    """Wraps a SentencePiece model. `encode` never adds BOS/EOS unless asked; ids are ints."""

    def __init__(self, model_proto: bytes):
        self._proto = bytes(model_proto)
        self._sp = spm.SentencePieceProcessor(model_proto=self._proto)
        if (self._sp.bos_id(), self._sp.eos_id(), self._sp.pad_id()) != (BOS_ID, EOS_ID, PAD_ID):
            raise ValueError("not a hangar_lm tokenizer: expected pad=0, bos=1, eos=2")

    @classmethod
    def load(cls, path: Union[str, Path]) -> "Tokenizer":
        return cls(Path(path).read_bytes())

    def save(self, path: Union[str, Path]) -> None:
        Path(path).write_bytes(self._proto)

    @property
    def vocab_size(self) -> int:
        return self._sp.get_piece_size()

    bos_id, eos_id, pad_id = BOS_ID, EOS_ID, PAD_ID

    def encode(self, text: str, bos: bool = False, eos: bool = False) -> List[int]:
        ids = list(self._sp.encode(text, out_type=int))
        return ([BOS_ID] if bos else []) + ids + ([EOS_ID] if eos else [])

    def decode(self, ids: Sequence[int]) -> str:
        """Decodes ids to text; BOS, EOS and padding decode to nothing."""
        return self._sp.decode([int(i) for i in ids if int(i) not in (PAD_ID, BOS_ID, EOS_ID)])

    def piece(self, token_id: int) -> str:
        return self._sp.id_to_piece(int(token_id))


def train_tokenizer(texts: Iterable[str], vocab_size: int = 2048, model_type: str = "bpe",
                    seed_sentencepiece_size: Optional[int] = None) -> Tokenizer:
    """Trains a tokenizer on `texts` (one document each, newlines kept) and returns it in memory."""
    buffer = io.BytesIO()
    kwargs = dict(
        sentence_iterator=iter(texts), model_writer=buffer, vocab_size=vocab_size,
        model_type=model_type, character_coverage=1.0, byte_fallback=True,
        pad_id=PAD_ID, bos_id=BOS_ID, eos_id=EOS_ID, unk_id=UNK_ID,
        normalization_rule_name="identity", remove_extra_whitespaces=False, add_dummy_prefix=False,
        user_defined_symbols=["\n"], allow_whitespace_only_pieces=True, split_digits=True,
        max_sentence_length=1 << 16, num_threads=1, minloglevel=2,
    )
    if seed_sentencepiece_size:
        kwargs["seed_sentencepiece_size"] = seed_sentencepiece_size
    spm.SentencePieceTrainer.train(**kwargs)
    return Tokenizer(buffer.getvalue())
