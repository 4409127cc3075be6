"""The site's mkdocs hooks (also imported by the tests: hooks.notation holds the notation registry)."""
