import unittest

from hangar_lm import train_tokenizer
from hangar_lm.corpus import split_fortunes
from hangar_lm.tokenizer import BOS_ID, EOS_ID

from tests.helpers import tokenizer


class TokenizerTest(unittest.TestCase):
    def test_round_trip_keeps_newlines_spaces_and_unseen_characters(self):
        tok = tokenizer()
        for text in ["Hello, world.", "  two  spaces\n\tand a tab\n", "ünïcødé 漢字 🚀", "-- Mark Twain\n\n%"]:
            self.assertEqual(tok.decode(tok.encode(text)), text)

    def test_bos_eos_added_on_request_and_dropped_by_decode(self):
        tok = tokenizer()
        ids = tok.encode("a cat", bos=True, eos=True)
        self.assertEqual((ids[0], ids[-1]), (BOS_ID, EOS_ID))
        self.assertEqual(tok.encode("a cat"), ids[1:-1])
        self.assertEqual(tok.decode(ids), "a cat")

    def test_encoding_concatenates_like_the_text(self):
        tok = tokenizer()  # no dummy prefix: a prompt's and a completion's tokens join like their text
        for a, b in [("A penny saved", " is a penny earned."), ("Tower, Kilo 36.", " Kilo 36, cleared.")]:
            self.assertEqual(tok.encode(a) + tok.encode(b), tok.encode(a + b))
            self.assertEqual(tok.decode(tok.encode(b)), b)

    def test_vocab_is_small(self):
        self.assertEqual(tokenizer().vocab_size, 1024)

    def test_trains_on_a_small_corpus(self):
        texts = [f"fortune number {i}: a penny saved is a penny earned.\n  -- Ben" for i in range(200)]
        tok = train_tokenizer(texts, vocab_size=300)
        self.assertEqual(tok.vocab_size, 300)
        self.assertEqual(tok.decode(tok.encode(texts[7])), texts[7])

    def test_fortune_files_split_on_percent_lines(self):
        self.assertEqual(split_fortunes("one\n  line two\n%\n\n%\nthree\n%\n"), ["one\n  line two", "three"])


if __name__ == "__main__":
    unittest.main()
