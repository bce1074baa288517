// The KServe InferenceService manifest: valid YAML with the fields KServe's Triton
// runtime needs, and a storageUri that is either the user's or a marked placeholder.
import { describe, expect, it } from 'vitest';
import { parse, parseDocument } from 'yaml';
import { kserveManifest, STORAGE_URI_PLACEHOLDER } from '../../src/export/kserve.js';

const model = (storageUri: string) => ({ modelFormat: { name: 'triton' }, protocolVersion: 'v2', storageUri });

describe('kserveManifest', () => {
  it('is an InferenceService of serving.kserve.io/v1beta1 with a triton model on protocol v2', () => {
    const doc = parseDocument(kserveManifest({ serviceName: 'mnist', storageUri: 'gs://bucket/exports/model-repository' }));
    expect(doc.errors).toEqual([]);
    expect(doc.toJS()).toEqual({
      apiVersion: 'serving.kserve.io/v1beta1',
      kind: 'InferenceService',
      metadata: { name: 'mnist' },
      spec: { predictor: { model: model('gs://bucket/exports/model-repository') } },
    });
  });

  it('without a storage URI, points at a placeholder and says so in a comment', () => {
    const text = kserveManifest({ serviceName: 'digits' });
    expect(parse(text).spec.predictor.model).toEqual(model(STORAGE_URI_PLACEHOLDER));
    expect(text).toMatch(/storageUri: s3:\/\/REPLACE-WITH-YOUR-BUCKET\/model-repository # placeholder: replace with where you uploaded/);
    expect(text).toMatch(/^# .*\n# .*kubectl apply -f/);
  });

  it('keeps the URI exactly, whatever its characters', () => {
    const uri = `s3://bucket/it's#{x}:"y"%20[z]`;
    expect(parse(kserveManifest({ serviceName: 'mnist', storageUri: uri })).spec.predictor.model.storageUri).toBe(uri);
  });

  it('refuses what KServe would refuse, with the reason', () => {
    expect(() => kserveManifest({ serviceName: 'mnist_v2' })).toThrow(/InferenceService name "mnist_v2" is not valid for KServe/);
    expect(() => kserveManifest({ serviceName: 'mnist', storageUri: 'bucket/path' })).toThrow(/--storage-uri "bucket\/path" is not a URI/);
  });
});
