import { digestModel } from '../digest/index.js';
import { namedEntries } from '../digest/named.js';
import { VerifyError } from '../errors.js';
import {
  digestsMatch,
  sha256Set,
  type DigestSet,
} from '../statement/digest-match.js';
import type { Statement } from '../statement/index.js';

/**
 * Checks that the files at `path` (a file or a model folder) are exactly
 * subjects of `statement`: each file's name and SHA-256 must equal a subject's.
 * Sigstore itself never compares DSSE subjects with artifacts; this does.
 *
 * @returns the number of files matched (at least one).
 * @throws VerifyError `VERIFY_SUBJECT_MISMATCH` naming the first file that
 *   no subject covers; DigestError when the files cannot be hashed.
 */
export async function verifySubjects(
  statement: Statement,
  path: string,
): Promise<number> {
  const subjects = new Map<string, DigestSet>();
  for (const subject of statement.subject) {
    if (subject.name !== undefined && subject.digest !== undefined) {
      subjects.set(subject.name, subject.digest);
    }
  }
  const files = namedEntries(path, await digestModel(path));
  for (const file of files) {
    const expected = subjects.get(file.name);
    if (
      expected === undefined ||
      !digestsMatch(expected, sha256Set(file.sha256))
    ) {
      throw new VerifyError(
        'VERIFY_SUBJECT_MISMATCH',
        expected === undefined
          ? `${file.name}: no subject of the statement names it`
          : `${file.name}: expected sha256 ${expected.sha256 ?? '(none)'}, ` +
              `found ${file.sha256}`,
      );
    }
  }
  return files.length;
}
