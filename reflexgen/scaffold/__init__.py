"""`reflexgen new`: a ready site, and new articles, pages and authors in one.

Every file is written whole or not at all, and never over an existing one."""
