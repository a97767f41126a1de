import type { Handlers } from '../../shared/contract';
import { AppError } from '../../shared/errors';
import { listClasses } from '../db/class-repository';
import { getPhoto, pagePhotos, photoIds } from '../db/photo-query';
import { projectStats } from '../db/stats-repository';
import * as classes from './classes';
import type { EventBus } from './event-bus';
import { announceLabelChange } from './label-delta';
import { assignLabels, type LabelChange } from './labels';
import type { ProjectSession } from './project-session';

/** Channels served by the library, classes and labels services. */
export type LibraryChannel =
  | 'folders:list'
  | 'folders:add'
  | 'folders:rescan'
  | 'folders:remove'
  | 'photos:page'
  | 'photos:ids'
  | 'photos:get'
  | 'classes:list'
  | 'classes:add'
  | 'classes:update'
  | 'classes:reorder'
  | 'classes:delete'
  | 'classes:merge'
  | 'labels:assign'
  | 'labels:undo'
  | 'labels:redo'
  | 'stats:get';

/** Handlers over whichever project is open when a request arrives. */
export function createLibraryHandlers(current: () => ProjectSession, events: EventBus): Pick<Handlers, LibraryChannel> {
  const changed = (reason: 'labels' | 'classes'): void => events.emit('library:changed', { reason });
  const labelsChanged = (db: ProjectSession['db'], change: LabelChange) => announceLabelChange(db, events, change, change.photoIds);
  return {
    'folders:list': () => current().library.listFolders(),
    'folders:add': (req) => current().library.addFolder(req.path, req.classesFromFolders),
    'folders:rescan': (req) => current().library.rescan(req.folderId),
    'folders:remove': (req) => current().library.removeFolder(req.folderId),
    'photos:page': (req) => pagePhotos(current().db, req, req.offset, req.limit),
    'photos:ids': (req) => photoIds(current().db, req),
    'photos:get': (req) => {
      const photo = getPhoto(current().db, req.id);
      if (!photo) throw new AppError('NOT_FOUND', `Photo ${req.id} is not in this project.`);
      return photo;
    },
    'classes:list': () => listClasses(current().db),
    'classes:add': (req) => withEvent(classes.addClass(current().db, req), () => changed('classes')),
    'classes:update': ({ id, ...patch }) => withEvent(classes.updateClass(current().db, id, patch), () => changed('classes')),
    'classes:reorder': (req) => withEvent(classes.reorderClasses(current().db, req.ids), () => changed('classes')),
    'classes:delete': (req) => {
      const s = current();
      return withEvent(classes.deleteClass(s.db, s.history, req.id), () => changed('classes'));
    },
    'classes:merge': (req) => {
      const s = current();
      return withEvent(classes.mergeClasses(s.db, s.history, req.sourceId, req.targetId), () => changed('classes'));
    },
    'labels:assign': (req) => {
      const s = current();
      return labelsChanged(s.db, assignLabels(s.db, s.history, req.photoIds, req.classId));
    },
    'labels:undo': (req) => {
      const s = current();
      return labelsChanged(s.db, s.history.undo(s.db, req?.step));
    },
    'labels:redo': () => {
      const s = current();
      return labelsChanged(s.db, s.history.redo(s.db));
    },
    'stats:get': () => projectStats(current().db)
  };
}

function withEvent<T>(value: T, announce: () => unknown): T {
  announce();
  return value;
}
