/* Package version ordering, by each ecosystem's own rules. Each returns
 * <0, 0 or >0 as a is older than, equal to or newer than b. */
#ifndef ZEIT_VERCMP_H
#define ZEIT_VERCMP_H

/* Debian: [epoch:]upstream[-revision], '~' sorts before everything. */
int vercmp_dpkg(const char *a, const char *b);
/* Arch (pacman's vercmp): [epoch:]version[-release], rpm segment rules. */
int vercmp_pacman(const char *a, const char *b);
/* Void (xbps): version[_revision], dewey-style components where alpha <
 * beta < pre = rc < (release) < pl, and a letter counts as a subversion. */
int vercmp_xbps(const char *a, const char *b);
/* Alpine (apk): digits[.digits]*[letter][_suffix[N]]*[-rN], with _alpha <
 * _beta < _pre < _rc < (none) < _cvs < _svn < _git < _hg < _p. */
int vercmp_apk(const char *a, const char *b);

#endif
