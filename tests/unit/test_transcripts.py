"""Transcripts read forgivingly (what Zoom and other tools really write), and cut to fit a model's context."""

from __future__ import annotations

from bot.domain.transcripts import GAP, Cue, clock_time, excerpt, parse_vtt, speaking_turns
from tests.french_transcript import french_transcript

ZOOM_VTT = """WEBVTT

1
00:00:05.120 --> 00:00:09.340
Camille Martin: Bonjour à toutes et à tous.

2
00:00:09.500 --> 00:00:14.000
Julien Petit: Merci Camille. On commence
par un tour de table ?

3
00:00:14.200 --> 00:00:18.000
Camille Martin: Oui, allons-y.
"""


def test_reads_zoom_cues_with_their_speakers() -> None:
    assert parse_vtt(ZOOM_VTT) == [
        Cue(5.12, 9.34, "Bonjour à toutes et à tous.", "Camille Martin"),
        Cue(9.5, 14.0, "Merci Camille. On commence par un tour de table ?", "Julien Petit"),
        Cue(14.2, 18.0, "Oui, allons-y.", "Camille Martin"),
    ]


def test_reads_what_other_tools_and_hand_edits_leave() -> None:
    text = (
        "\ufeffWEBVTT - exported\r\n"
        "Kind: captions\r\nLanguage: fr\r\n\r\n"
        "STYLE\r\n::cue { color: yellow }\r\n\r\n"
        "NOTE relu par l'équipe\r\n\r\n"
        "intro\r\n"
        "01:02.500 --> 01:04.000 align:start position:10%\r\n"
        "<v Sophie Bernard>Les <i>archives</i> &amp; la <c.loud>numérisation</c></v>\r\n\r\n"
        "00:00:30,000 --> 00:00:31,000\r\n"  # SRT's comma
        "Attention: ceci n'est pas un nom\r\n\r\n"
        "00:00:40.000 --> nonsense\r\nskipped\r\n\r\n"
        "1:00:00.000 --> 1:00:02.000\r\n<00:00:00.500>Une heure<00:00:01.000> pile\r\n\r\n"
        "00:00:50.000 --> 00:00:51.000\r\n\r\n"  # no words
    )
    assert parse_vtt(text) == [
        Cue(30.0, 31.0, "Attention: ceci n'est pas un nom", None),  # said once: a sentence, not a speaker
        Cue(62.5, 64.0, "Les archives & la numérisation", "Sophie Bernard"),
        Cue(3600.0, 3602.0, "Une heure pile", None),
    ]


def test_garbage_gives_no_cue() -> None:
    assert parse_vtt("") == []
    assert parse_vtt("not a transcript at all\n\nstill not") == []
    assert parse_vtt("\x00\x01WEBVTT\n\n-->\n-->") == []


def test_clock_time() -> None:
    assert [clock_time(s) for s in (0, 59.9, 600, 3723.4, -3)] == [
        "00:00:00",
        "00:00:59",
        "00:10:00",
        "01:02:03",
        "00:00:00",
    ]


def test_speaking_turns_join_a_speakers_cues_but_keep_times_close() -> None:
    cues = [
        Cue(1, 2, "Bonjour.", "Camille"),
        Cue(3, 4, "On commence.", "Camille"),
        Cue(5, 6, "Oui.", "Julien"),
        Cue(70, 71, "Encore moi.", "Julien"),  # more than a minute into Julien's turn: a new line
        Cue(80, 81, "Sans nom.", None),
    ]
    assert speaking_turns(cues) == [
        "[00:00:01] Camille: Bonjour. On commence.",
        "[00:00:05] Julien: Oui.",
        "[00:01:10] Julien: Encore moi.",
        "[00:01:20] Sans nom.",
    ]


def test_a_short_transcript_is_sent_whole() -> None:
    lines = ["[00:00:01] a", "[00:00:02] b"]
    part = excerpt(lines, 1000)
    assert (part.text, part.cut, part.kept_chars, part.total_chars) == ("[00:00:01] a\n[00:00:02] b", False, 24, 24)


def test_a_long_transcript_keeps_its_beginning_its_end_and_evenly_spaced_parts() -> None:
    lines = speaking_turns(parse_vtt(french_transcript()))
    for budget in (4000, 20000, 40000):
        part = excerpt(lines, budget)
        assert part.cut and len(part.text) <= budget
        kept = part.text.split("\n")
        assert kept[0] == lines[0] and kept[-1] == lines[-1]
        pieces = part.text.split(f"\n{GAP}\n")
        assert len(pieces) == max(2, budget // 3000)
        # Every kept line is a real line, in order; the pieces start at evenly spaced places of the session.
        positions = [lines.index(line) for line in kept if line != GAP]
        assert positions == sorted(positions)
        starts = [lines.index(piece.split("\n")[0]) / len(lines) for piece in pieces]
        expected = [index / (len(pieces) - 1) for index in range(len(pieces))]
        assert all(abs(start - want) < 0.1 for start, want in zip(starts[:-1], expected[:-1], strict=True))
        assert 0.8 * budget <= part.kept_chars <= budget


def test_a_single_huge_line_is_shortened_not_dropped() -> None:
    part = excerpt(["x" * 10_000], 4000)
    assert part.cut and 0 < len(part.text) <= 4000 and part.text.endswith("…")
