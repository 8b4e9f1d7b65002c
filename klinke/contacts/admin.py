"""Deliberately empty: a collective's contacts are its members' business, not the staff's.

Registering these models would let every staff account read and change every collective's
address book; see docs/workbench.md ("No admin access").
"""
