"""Running one line in either mode: the session's context, the dispatcher, scripts, exit
codes and output.
"""
