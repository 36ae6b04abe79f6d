"""demo NAME --why-not [RULE]: the silent rules with what held each back, or one rule's tree."""

from __future__ import annotations

from engine.explain.why_not import why_not
from engine.model import KnowledgeBase
from engine.run.assess import assess
from engine.verify.demos import load_demos
from questionnaire.render.why_not_view import MARKS_KEY, SILENT_HEADING
from tests.conftest import run_cli


def _flat(text: str) -> str:
    return " ".join(text.split())


def test_demo_why_not_lists_every_silent_rule_and_what_held_it_back(kb: KnowledgeBase) -> None:
    result = run_cli("demo", "not_blocks", "--why-not")
    assert result.code == 0, result.err
    before, silent = result.out.split(SILENT_HEADING)
    assert "FIRE" in before and "FIRE" not in silent  # the run first, the listing after it
    flat = _flat(silent)
    # the demo's teaching point: the 'not' is what keeps the disuse rule silent
    assert "disuse_context (Bed rest, a cast or a hospital stay, and nothing else new) - " \
           "[failed] not (fact other_signs)" in flat
    demo = next(d for d in load_demos(kb) if d.id == "not_blocks")
    fired = assess(kb, demo.answers).fired
    for rule in kb.rules:
        named = f" {rule.id} " in f" {flat.replace(',', ' ')} "
        assert named == (rule.id not in fired), rule.id
    assert "muscle-triage demo not_blocks --why-not RULE" in flat


def test_demo_why_not_rule_shows_its_marked_tree_after_the_run(kb: KnowledgeBase) -> None:
    result = run_cli("demo", "not_blocks", "--why-not", "disuse_only", "--why-not",
                     "see_doctor_about_muscle_change")
    assert result.code == 0, result.err
    after = _flat(result.out.split(MARKS_KEY, 1)[1])
    assert "[disuse_only]: did not fire" in after
    assert "[failed] fact disuse_explained (not derived)" in after
    assert "[see_doctor_about_muscle_change]: fired" in after
    demo = next(d for d in load_demos(kb) if d.id == "not_blocks")
    marked = why_not(kb, assess(kb, demo.answers), "see_doctor_about_muscle_change")
    assert marked.mark == "held"
    fired_tree = after.split("[see_doctor_about_muscle_change]: fired")[1]
    assert fired_tree.split(" - ")[1].startswith("[held] all of:")


def test_demo_step_why_not_shows_the_tree_once_the_steps_are_done() -> None:
    result = run_cli("demo", "rule_chain", "--step", "--why-not", "disuse_only", stdin="\n\nq\n")
    assert result.code == 0, result.err
    steps, tree = result.out.split(MARKS_KEY)
    assert "FIRE" in steps and "[disuse_only]" in _flat(tree)


def test_demo_why_not_refuses_bad_input_in_one_line() -> None:
    for argv, words in ((("--why-not", "disuse_onli"), "did you mean 'disuse_only'"),
                        (("--why-not", "weaker"), "'weaker' is not one"),
                        (("--why-not", "--what-if", "weaker=no"), "use one at a time")):
        result = run_cli("demo", "rule_chain", *argv)
        assert result.code == 2, argv
        assert words in result.err and "Traceback" not in result.err
        assert result.err.strip().count("\n") == 0, result.err
