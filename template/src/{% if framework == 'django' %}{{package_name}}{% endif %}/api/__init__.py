"""HTTP routes: DRF views per resource; `urls.urlconf_for` assembles them."""
