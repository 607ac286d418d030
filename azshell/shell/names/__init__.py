"""The names the shell has seen (projects, flows, jobs, executions), kept per server for
completion.
"""
