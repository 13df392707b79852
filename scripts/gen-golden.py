#!/usr/bin/python3
"""Regenerates the renderer's golden files from the Neutron oracle.

Runs ../shared/oracle/neutron_oracle.py (Debian's real Neutron driver; needs python3-neutron) on every case in
../shared/oracle/cases, ../shared/oracle/extra and scripts/oracle-cases (Tapguard's own), and writes, under render/src/test/resources/oracle/:
  <case>.json         the input (copied, so the tests need neither Neutron nor ../shared)
  <case>.golden.json  what Neutron leaves in the kernel, normalised: per family and table, the declared chains with
                      their policy and each chain's rules in order (counters and declaration order dropped), plus the
                      final ipsets (replayed from the ipset commands, members sorted) and the API's rejections.
Usage: scripts/gen-golden.py            (from the project root)
"""
import json
import os
import shutil
import subprocess
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
SHARED = os.environ.get('TAPGUARD_SHARED', os.path.join(os.path.dirname(ROOT), 'shared'))
ORACLE = os.path.join(SHARED, 'oracle', 'neutron_oracle.py')
OUT = os.path.join(ROOT, 'render', 'src', 'test', 'resources', 'oracle')


def normalise_table(lines):
    chains, rules = {}, {}
    for line in lines:
        if line.startswith(':'):
            parts = line[1:].split()
            chains[parts[0]] = parts[1] if len(parts) > 1 else '-'
            rules.setdefault(parts[0], [])
        elif line.startswith('-A '):
            _, chain, *rest = line.split(' ', 2)
            rules.setdefault(chain, []).append(rest[0] if rest else '')
    return {'chains': dict(sorted(chains.items())), 'rules': dict(sorted(rules.items()))}


def replay_ipsets(commands):
    sets = {}
    for c in commands:
        argv = c['argv']
        if argv[0] != 'ipset':
            continue
        op = argv[1]
        if op == 'create':
            sets.setdefault(argv[3] if argv[2] == '-exist' else argv[2], set())
        elif op == 'restore':
            for line in (c['stdin'] or '').splitlines():
                w = line.split()
                if not w:
                    continue
                if w[0] == 'create':
                    sets[w[1]] = set()
                elif w[0] == 'add':
                    sets.setdefault(w[1], set()).add(w[2])
        elif op == 'swap':
            a, b = argv[2], argv[3]
            sets[a], sets[b] = sets.get(b, set()), sets.get(a, set())
        elif op == 'destroy':
            sets.pop(argv[2], None)
        elif op == 'add':
            sets.setdefault(argv[-2], set()).add(argv[-1])
        elif op == 'del':
            sets.get(argv[-2], set()).discard(argv[-1])
    return {k: sorted(v) for k, v in sorted(sets.items())}


def main():
    cases = []
    for d in (os.path.join(SHARED, 'oracle', 'cases'), os.path.join(SHARED, 'oracle', 'extra'),
              os.path.join(ROOT, 'scripts', 'oracle-cases')):
        cases += [os.path.join(d, f) for f in sorted(os.listdir(d)) if f.endswith('.json')]
    os.makedirs(OUT, exist_ok=True)
    for path in cases:
        res = subprocess.run(['/usr/bin/python3', ORACLE, '--format', 'json', path],
                             capture_output=True, text=True, check=True)
        doc = json.loads(res.stdout)
        golden = {
            'case': doc['case'],
            'neutron_version': doc['neutron_version'],
            'final': {fam: {t: normalise_table(lines) for t, lines in tabs.items()}
                      for fam, tabs in doc['final'].items()},
            'ipsets': replay_ipsets(doc['commands']),
            'notes': doc['notes'],
        }
        base = os.path.basename(path)[:-5]
        shutil.copyfile(path, os.path.join(OUT, base + '.json'))
        with open(os.path.join(OUT, base + '.golden.json'), 'w') as f:
            json.dump(golden, f, indent=1, sort_keys=True)
            f.write('\n')
        print('%s -> %s.golden.json' % (os.path.relpath(path, os.path.dirname(ROOT)), base))


if __name__ == '__main__':
    sys.exit(main())
