/**
 * Which texts on a Debian machine make up the SmolLM2 evaluation corpus, and under which licence
 * each may be copied. The licence of every info manual is the one its own title page states
 * (checked by hand against the installed files; the builder re-checks the FDL/GPL/public-domain
 * phrase it quotes here, see `licenceEvidence`).
 *
 * Evaluation and calibration come from different packages, so no manual is on both sides.
 */

export interface InfoSource {
  kind: 'info';
  /** Short name used in document ids. */
  name: string;
  /** The manual's main info file. */
  path: string;
  /** SPDX-style licence of the manual's text. */
  licence: string;
  /** A phrase of the manual's permission notice that must appear in it (checked at build time). */
  licenceEvidence: string;
}

export interface LicenceTextSource {
  kind: 'licence';
  name: string;
  path: string;
  licence: string;
}

const info = (name: string, file: string, licence: string, licenceEvidence: string): InfoSource =>
  ({ kind: 'info', name, path: `/usr/share/info/${file}`, licence, licenceEvidence });
const FDL13 = 'GFDL-1.3-or-later (no Invariant Sections, no Cover Texts)';
const FDL13_EVIDENCE = 'GNU Free Documentation License, Version 1.3';

/** GNU manuals whose chapters become evaluation documents (the corpus brief's list). */
export const EVAL_MANUALS: InfoSource[] = [
  info('coreutils', 'coreutils.info.gz', FDL13, FDL13_EVIDENCE),
  info('gettext', 'gettext.info.gz', 'GFDL-1.2-or-later OR GPL-2.0-or-later (dual)', 'It is dually licensed under the GNU FDL and the GNU GPL'),
  info('diffutils', 'diffutils.info.gz', FDL13, FDL13_EVIDENCE),
  info('find', 'find.info.gz', FDL13, FDL13_EVIDENCE),
  info('gnupg', 'gnupg.info.gz', 'GPL-3.0-or-later', 'under the terms of the GNU General Public License as published by the Free Software Foundation; either version 3'),
  info('sed', 'sed.info.gz', FDL13, FDL13_EVIDENCE),
  info('wget', 'wget.info.gz', FDL13, FDL13_EVIDENCE),
  info('grep', 'grep.info.gz', FDL13, FDL13_EVIDENCE),
  info('nettle', 'nettle.info.gz', 'public domain (the manual says so)', 'This manual is placed in the public domain'),
];

/** GNU manuals kept for calibration only. */
export const CALIBRATION_MANUALS: InfoSource[] = [
  info('ed', 'ed.info.gz', FDL13, FDL13_EVIDENCE),
  info('time', 'time.info.gz', FDL13, FDL13_EVIDENCE),
  info('gzip', 'gzip.info.gz', FDL13, FDL13_EVIDENCE),
  info('libtasn1', 'libtasn1.info.gz', FDL13, FDL13_EVIDENCE),
  info('rluserman', 'rluserman.info.gz', FDL13, FDL13_EVIDENCE),
];

/**
 * Licence texts long enough to be evaluation documents (those under the minimum length are
 * reported and left out). Their own terms allow verbatim copies; none is used for calibration,
 * since licence families share whole paragraphs (GPL-2 / LGPL-2.1, GFDL-1.2 / 1.3).
 */
export const EVAL_LICENCE_TEXTS: LicenceTextSource[] = ['GPL-3', 'GPL-2', 'LGPL-2.1', 'GFDL-1.3', 'MPL-1.1', 'MPL-2.0']
  .map((name) => ({ kind: 'licence', name, path: `/usr/share/common-licenses/${name}`, licence: 'verbatim copies permitted by the text itself' }));

/** Python's reference-manual topics (pydoc), calibration only; Debian's own Python, not pyenv's. */
export const PYDOC_TOPICS = {
  kind: 'pydoc' as const,
  name: 'pydoc',
  python: '/usr/bin/python3',
  path: '/usr/lib/python3.11/pydoc_data/topics.py',
  licence: 'PSF-2.0',
};

/** Node names that are licence appendices, indexes or boilerplate shared between GNU manuals. */
export const SKIPPED_NODE = /^(Top|Copying.*|.*Free Documentation License.*|GNU FDL|GNU GPL|GNU General Public License|.*License.*|.*Index|Index.*|Contributors|Reporting Bugs|Concept index|Licenses?)$/i;
