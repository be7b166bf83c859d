"""The public pages of the education monitoring: goals, indicators, maps and comparison.

Every value shown has passed the disclosure gate: summaries come from
:func:`lernstadt.monitoring.summary.indicator_summary`, everything else from
:func:`lernstadt.monitoring.publishing.publish`; :mod:`presenting` puts them into
words. Charts are SVG drawn on the server by :mod:`charts`, each with the same
data as a table beside it. Every page works without JavaScript and without a mouse:
switches are links, choices are plain forms.

One module a page (:mod:`.goals`, :mod:`.indicator`, :mod:`.maps`, :mod:`.comparison`,
:mod:`.methods`); what several pages share is in :mod:`.blocks`.
"""
