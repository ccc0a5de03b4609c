#!/usr/bin/python3
"""Reads the subunit stream of a Tempest run and checks it against expected-pass.txt.

usage: tempest_results.py --subunit FILE --selected FILE --expected FILE --out DIR [--regex RE]

Writes into DIR:
  results.tsv     one line per selected test: id, pass/fail/skip/not-run, seconds, reason
  passed.txt, failed.txt, skipped.txt   the ids by outcome
  failures.txt    the full traceback of every failed test
  summary.txt     the counts line
and prints the counts ("N passed, N failed, N skipped"), every expected test that did not pass
with its reason, and the tests that pass without being expected (candidates for the list).

Exit status: 0 when every expected test that was selected passed, 1 otherwise, 2 on bad input.

A class whose setUpClass failed or skipped reports one pseudo test, "setUpClass (pkg.Class)":
its outcome is given to each selected test of that class, so that the counts are per test.
Needs Debian's python3-subunit and python3-testtools (they come with the tempest package).
"""
import argparse
import collections
import re
import sys

import subunit
import testtools

OUTCOMES = {'success': 'pass', 'xfail': 'pass', 'skip': 'skip',
            'fail': 'fail', 'uxsuccess': 'fail'}
FIXTURE = re.compile(r'^(setUpClass|tearDownClass) \((.+)\)$')
IDEMPOTENT_ID = re.compile(r'\[.*\]$')
BOUND_METHOD = re.compile(r'<bound method (\S+) of <[^<>]*>>')


def read_ids(path):
    ids = []
    with open(path) as f:
        for line in f:
            line = line.strip()
            if line and not line.startswith('#'):
                ids.append(line)
    return ids


def detail_text(details, name):
    content = details.get(name)
    if content is None:
        return ''
    try:
        return b''.join(content.iter_bytes()).decode('utf-8', 'replace')
    except Exception:  # a detail we cannot read is no reason to lose the others
        return ''


def reason(details, outcome):
    """One line saying why a test failed or was skipped."""
    if outcome == 'skip':
        return ' '.join(detail_text(details, 'reason').split())[:300]
    lines = [ln.rstrip() for ln in detail_text(details, 'traceback').splitlines() if ln.strip()]
    if not lines:
        return ''
    # The exception follows the last stack frame ("  File ...", then indented source lines);
    # tempest's exceptions go on over further lines ("Details: {...}").
    start = 0
    for i in range(len(lines) - 1, -1, -1):
        if lines[i].startswith('  File '):
            start = i + 1
            break
    while start < len(lines) - 1 and lines[start].startswith(' '):
        start += 1
    text = ' | '.join(ln.strip() for ln in lines[start:start + 4])
    # "<bound method ImagesClient.create_image of <...ImagesClient object at 0x...>> returned ..."
    text = BOUND_METHOD.sub(r'\1()', text)
    return ' '.join(text.split())[:400]


def parse(path):
    """test id -> (outcome, seconds, reason, traceback) for every test the stream reports."""
    tests = collections.OrderedDict()

    def on_test(t):
        if t['status'] in ('exists', 'inprogress'):
            return
        outcome = OUTCOMES.get(t['status'], 'fail')
        start, stop = (t.get('timestamps') or [None, None])[:2]
        seconds = '%.1f' % (stop - start).total_seconds() if start and stop else ''
        tests[t['id']] = (outcome, seconds, reason(t['details'], outcome),
                          detail_text(t['details'], 'traceback'))

    with open(path, 'rb') as f:
        stream = subunit.ByteStreamToStreamResult(f, non_subunit_name='stdout')
        result = testtools.StreamToDict(on_test)
        result.startTestRun()
        try:
            stream.run(result)
        finally:
            result.stopTestRun()
    return tests


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument('--subunit', required=True)
    ap.add_argument('--selected', required=True)
    ap.add_argument('--expected', required=True)
    ap.add_argument('--out', required=True)
    ap.add_argument('--regex', default='', help='the selection of the run (default: everything)')
    a = ap.parse_args()

    selected = read_ids(a.selected)
    expected = read_ids(a.expected)
    try:
        reported = parse(a.subunit)
    except (OSError, ValueError) as e:
        print('cannot read the subunit stream %s: %s' % (a.subunit, e))
        return 2

    rows = {}
    tracebacks = {}
    for tid, (outcome, seconds, why, tb) in reported.items():
        m = FIXTURE.match(tid)
        if m:
            cls = m.group(2)
            members = [s for s in selected if s.startswith(cls + '.')]
            for s in members:
                # a test that ran keeps its own outcome; a tearDownClass failure is not the tests'
                if s not in rows and m.group(1) == 'setUpClass':
                    rows[s] = (outcome, '', '%s: %s' % (m.group(1), why))
                    if tb:
                        tracebacks[s] = tb
            if members:
                if m.group(1) == 'tearDownClass' and outcome == 'fail':
                    print('note: %s failed: %s' % (tid, why))
                continue
        rows[tid] = (outcome, seconds, why)
        if tb and outcome == 'fail':
            tracebacks[tid] = tb
    for s in selected:
        rows.setdefault(s, ('not-run', '', 'selected but not reported by the run (crash or timeout?)'))

    # The expected tests this run had to run: those the selection regex matches (stestr searches
    # test ids with it). One that Tempest did not list no longer exists under that id: a failure.
    selection = re.compile(a.regex)
    due = [t for t in expected if selection.search(t)]
    for t in due:
        rows.setdefault(t, ('not-run', '', 'in expected-pass.txt, but this Tempest has no such test'))

    by = collections.defaultdict(list)
    for tid in sorted(rows):
        by[rows[tid][0]].append(tid)
    with open(a.out + '/results.tsv', 'w') as f:
        for tid in sorted(rows):
            f.write('\t'.join((tid,) + rows[tid]) + '\n')
    for outcome, name in (('pass', 'passed'), ('fail', 'failed'), ('skip', 'skipped')):
        with open('%s/%s.txt' % (a.out, name), 'w') as f:
            f.writelines(t + '\n' for t in by[outcome])
    with open(a.out + '/failures.txt', 'w') as f:
        for tid in sorted(tracebacks):
            if rows[tid][0] == 'fail':
                f.write('=' * 70 + '\n%s\n%s\n\n' % (tid, tracebacks[tid].rstrip()))

    counts = '%d passed, %d failed, %d skipped' % (len(by['pass']), len(by['fail']), len(by['skip']))
    if by['not-run']:
        counts += ', %d not run' % len(by['not-run'])
    with open(a.out + '/summary.txt', 'w') as f:
        f.write(counts + '\n')

    missing = [t for t in due if rows[t][0] != 'pass']
    new = [t for t in by['pass'] if t not in set(expected)]
    other_failures = [t for t in by['fail'] + by['not-run'] if t not in set(expected)]

    print(counts)
    print('expected-pass.txt: %d of %d expected tests passed' % (len(due) - len(missing), len(due)))
    if len(due) < len(expected):
        print('(%d tests of expected-pass.txt are not selected by %s)' % (len(expected) - len(due), a.regex))
    if other_failures:
        per_class = collections.Counter(IDEMPOTENT_ID.sub('', t).rsplit('.', 1)[0] for t in other_failures)
        print('%d tests that are not expected to pass failed (ids and reasons in results.tsv):'
              % len(other_failures))
        for cls, n in sorted(per_class.items()):
            print('  %3d  %s' % (n, cls))
    if new:
        print('%d tests pass that are not in expected-pass.txt; add them to the list:' % len(new))
        for t in new:
            print('  ' + t)
    if missing:
        print('FAILED: %d expected tests did not pass:' % len(missing))
        for t in missing:
            outcome, _, why = rows.get(t, ('not-run', '', ''))
            print('  %s\n      %s: %s' % (t, outcome, why or '(no reason given)'))
        print('full tracebacks: %s/failures.txt' % a.out)
        return 1
    return 0


if __name__ == '__main__':
    sys.exit(main())
