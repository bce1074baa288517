// Names that end up as folders and URL segments: the model name (`--name`: the
// model's folder in a Triton repository and {name} in /v2/models/{name}) and the
// KServe InferenceService name. Each check throws one line that says what is
// wrong, before anything is written.

export class NameError extends Error {
  override name = 'NameError';
}

/**
 * A model name must be one path segment, as Triton's ValidateModelName and its
 * repository scan take it (core: model_repository_manager.cc, filesystem/local.h):
 * not empty or blank, no `/`, not `.` or `..` (a scan never lists those as folders).
 * We also refuse `\` (a separator on Windows), control characters and leading or
 * trailing blanks, which would be invisible in URLs, logs and config.pbtxt.
 */
export function checkModelName(name: string): string {
  const bad = (why: string) => new NameError(`model name ${JSON.stringify(name)} ${why}; it must be one folder name, such as "mnist"`);
  if (name.trim() === '') throw bad('is empty');
  if (name === '.' || name === '..') throw bad('is a relative folder, not a name');
  if (/[/\\]/.test(name)) throw bad('contains a path separator');
  if (/[\u0000-\u001f\u007f]/.test(name)) throw bad('contains a control character');
  if (name.trim() !== name) throw bad('starts or ends with a blank');
  return name;
}

/**
 * KServe's webhook accepts an InferenceService name matching `[a-z]([-a-z0-9]*[a-z0-9])?`
 * (its IsvcNameFmt); Kubernetes caps object names used as DNS labels at 63 characters.
 */
export function checkServiceName(name: string): string {
  if (!/^[a-z]([-a-z0-9]*[a-z0-9])?$/.test(name) || name.length > 63) {
    throw new NameError(
      `InferenceService name ${JSON.stringify(name)} is not valid for KServe: use lower-case letters, digits and "-", ` +
        'starting with a letter and ending with a letter or digit, at most 63 characters (pass --service-name)',
    );
  }
  return name;
}
