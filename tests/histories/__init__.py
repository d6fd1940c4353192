"""Recorded histories of released workflow code: CI replays them against the current code."""
