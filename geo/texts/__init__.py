"""User-interface text, one module per language (sl, it, en); see geo.i18n."""
