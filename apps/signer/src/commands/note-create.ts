import { mapperFor } from '@signet/grafeas-client';
import type { CommandAction } from '../common/command-result.js';
import { ExitCode } from '../common/exit-codes.js';
import { checkId } from '../common/note-name.js';
import { withStore } from '../common/store.js';

interface NoteCreateOptions {
  project: string;
  noteId: string;
  description?: string;
}

/** Creates an ATTESTATION note; the store treats an existing note as success and returns it. */
export const run: CommandAction<NoteCreateOptions> = async (options, context) => {
  const project = checkId(options.project, '--project');
  const noteId = checkId(options.noteId, '--note-id');
  const note = await withStore(context.global, (store) =>
    store.createNote(project, noteId, {
      kind: 'ATTESTATION',
      humanReadableName: noteId,
      ...(options.description ? { shortDescription: options.description } : {}),
    }),
  );
  return {
    exitCode: ExitCode.ok,
    text: `Note ${note.name} (ATTESTATION) is ready in ${context.global.store}`,
    json: mapperFor(context.global.api).noteToWire(note, { kind: true }),
  };
};
