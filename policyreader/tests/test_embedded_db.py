"""The embedded server's start-up repairs what a killed process leaves behind."""

import json
import logging

from policyreader import embedded_db


def test_an_empty_handle_list_is_reset(tmp_path, caplog):
    """A process killed while pgserver rewrote its pid list leaves it empty;
    every later start failed with a JSONDecodeError until it is reset."""
    (tmp_path / ".handle_pids.json").write_text("")
    with caplog.at_level(logging.INFO, logger=embedded_db.logger.name):
        embedded_db._repair_handle_list(tmp_path)
    assert json.loads((tmp_path / ".handle_pids.json").read_text()) == []
    assert "not valid JSON" in caplog.text


def test_a_valid_handle_list_is_left_alone(tmp_path):
    (tmp_path / ".handle_pids.json").write_text("[123, 456]")
    embedded_db._repair_handle_list(tmp_path)
    assert json.loads((tmp_path / ".handle_pids.json").read_text()) == [123, 456]


def test_no_handle_list_is_not_created(tmp_path):
    embedded_db._repair_handle_list(tmp_path)
    assert not (tmp_path / ".handle_pids.json").exists()
