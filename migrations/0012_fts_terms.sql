-- The terms of the full-text index, read by prefix: a bare search word is a prefix, and FTS5 runs a
-- prefix by merging the whole doclist of every term it covers before it can intersect it with the
-- other words (a common word's 750,000 entries for a search that finds 2,000). A list first reads
-- here which terms a short prefix covers and asks FTS5 for them by name, which it intersects lazily
-- (src/services/events/query.ts, prefixTerms). `instance` rows are read lazily too: the next term
-- after `t` is one seek (term >= t || char(0)), where the `row` kind would count every document of `t`.
CREATE VIRTUAL TABLE `events_fts_terms` USING fts5vocab(`events_fts`, 'instance');
