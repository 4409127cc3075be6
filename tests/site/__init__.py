"""Tests of the site: its pages, notebooks, guards, build, browser check and tooling."""
