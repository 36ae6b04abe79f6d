"""The --fhir-response option of `assess`, kept out of the command module."""

from __future__ import annotations

import argparse
import json
from pathlib import Path

from engine.model import Assessment, KnowledgeBase
from questionnaire.files import write_private
from questionnaire.render.fhir import questionnaire_response


def add_fhir_response_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--fhir-response", metavar="FILE", type=Path, default=None,
                        help="also write the answers as a FHIR R4 QuestionnaireResponse (JSON) "
                             "to FILE, readable by you only; see 'muscle-triage export fhir'")


def write_fhir_response(args: argparse.Namespace, kb: KnowledgeBase,
                        assessment: Assessment) -> Path | None:
    """Write --fhir-response if it was asked for; return the path written, if any.

    Only the answers the assessment used go in: an answer set aside because its question would
    not be asked has no place in a response whose questionnaire would not have enabled it.
    """
    path: Path | None = getattr(args, "fhir_response", None)
    if path is None:
        return None
    resource = questionnaire_response(kb, assessment.answers)
    text = json.dumps(resource, indent=2, ensure_ascii=False) + "\n"
    return write_private(path, text, force=bool(getattr(args, "force", False)))
