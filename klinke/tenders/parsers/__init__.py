"""Pure parsers for public tender notices (eForms XML, OCDS JSON) and the packages they come in.

No ORM here. ``read_paths(paths)`` yields one ``Outcome`` (``Parsed`` or ``Rejected``) per file or
package member; see ``records.py`` for the normalised fields.
"""
