"""The site's date and time formats (``FORMAT_MODULE_PATH``) and the helpers that use them.

``halsam.formats.sv`` and ``halsam.formats.en`` are Django format modules (looked up by
``django.utils.formats.get_format`` before Django's own); ``halsam.formats.dates`` holds
the functions that Python code and the ``svdates`` template filters call.
"""
