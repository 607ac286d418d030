"""``top``: a live, full-screen list of executions (source.py builds it from the Ajax API,
view.py lays it out, app.py is the prompt_toolkit application)."""
