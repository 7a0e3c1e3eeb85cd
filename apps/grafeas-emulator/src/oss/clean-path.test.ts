import { describe, expect, it } from 'vitest';
import { uncleanPathRedirect } from './clean-path.js';

// Clean paths as Go 1.19's ServeMux computes them (path.Clean, a trailing slash kept).
describe("uncleanPathRedirect: Go's ServeMux redirect of a path that is not clean", () => {
  it.each([
    ['/v1beta1//projects/p/notes', '/v1beta1/projects/p/notes'],
    ['/v1beta1/projects/p/./notes', '/v1beta1/projects/p/notes'],
    ['/v1beta1/projects/p/../q/notes', '/v1beta1/projects/q/notes'],
    ['/a//b//', '/a/b/'],
    ['/..', '/'],
    ['//', '/'],
  ])('sends %s to %s', (path, clean) => {
    expect(uncleanPathRedirect('DELETE', path, '')).toEqual({ location: clean, body: '' });
  });

  it.each(['/v1beta1/projects/p/notes', '/v1beta1/projects/p/notes/', '/'])('leaves %s alone', (path) => {
    expect(uncleanPathRedirect('GET', path, '')).toBeUndefined();
  });

  it('keeps the query and, for GET, writes the HTML link with & escaped', () => {
    expect(uncleanPathRedirect('GET', '/v1beta1//projects/p/notes', 'pageSize=1&pageToken=2')).toEqual({
      location: '/v1beta1/projects/p/notes?pageSize=1&pageToken=2',
      contentType: 'text/html; charset=utf-8',
      body: '<a href="/v1beta1/projects/p/notes?pageSize=1&amp;pageToken=2">Moved Permanently</a>.\n\n',
    });
  });

  it('answers HEAD with the content type and no body', () => {
    expect(uncleanPathRedirect('HEAD', '//', '')).toEqual({
      location: '/',
      contentType: 'text/html; charset=utf-8',
      body: '',
    });
  });
});
