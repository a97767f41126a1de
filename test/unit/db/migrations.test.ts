import { writeFileSync } from 'node:fs';
import BetterSqlite3 from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openDatabase, schemaVersion } from '../../../src/main/db/database';
import { migrations, type Migration } from '../../../src/main/db/migrations/index';
import { initialMigration } from '../../../src/main/db/migrations/0001-initial';
import { tempDir } from './helpers';

let tmp: ReturnType<typeof tempDir>;
beforeEach(() => {
  tmp = tempDir();
});
afterEach(() => tmp.remove());

const latest = migrations[migrations.length - 1].version;

describe('migrations', () => {
  it('are numbered consecutively from 1', () => {
    expect(migrations.map((m) => m.version)).toEqual(migrations.map((_, i) => i + 1));
  });

  it('bring a fresh project to the latest version with STRICT tables, WAL and foreign keys', () => {
    const db = openDatabase(tmp.file('fresh.tstudio'));
    expect(schemaVersion(db)).toBe(latest);
    expect(db.pragma('journal_mode', { simple: true })).toBe('wal');
    expect(db.pragma('foreign_keys', { simple: true })).toBe(1);
    const strict = db.prepare("SELECT name FROM pragma_table_list WHERE strict = 1 AND schema = 'main'").pluck().all();
    expect(strict).toEqual(expect.arrayContaining(['folders', 'photos', 'classes', 'labels']));
    db.close();
  });

  it('upgrade a version-1 project and keep its data', () => {
    const file = tmp.file('old.tstudio');
    const v1 = openDatabase(file, { migrations: [initialMigration] });
    v1.prepare("INSERT INTO classes (name, color, hotkey, position, created_at) VALUES ('ants', '#000000', '1', 0, 0)").run();
    v1.close();
    const addNotes: Migration = { version: 2, name: 'notes', up: (db) => db.exec('ALTER TABLE classes ADD COLUMN note TEXT') };
    const db = openDatabase(file, { migrations: [initialMigration, addNotes] });
    expect(schemaVersion(db)).toBe(2);
    expect(db.prepare('SELECT name, note FROM classes').all()).toEqual([{ name: 'ants', note: null }]);
    db.close();
  });

  it('upgrade a version-1 project to the app’s own latest schema', () => {
    const file = tmp.file('v1.tstudio');
    const v1 = openDatabase(file, { migrations: [initialMigration] });
    v1.prepare("INSERT INTO folders (path, added_at) VALUES ('/photos', 0)").run();
    v1.close();
    const db = openDatabase(file);
    expect(schemaVersion(db)).toBe(latest);
    expect(db.prepare('SELECT path FROM folders').pluck().all()).toEqual(['/photos']);
    db.close();
  });

  it('roll back a failing migration completely', () => {
    const file = tmp.file('fail.tstudio');
    openDatabase(file, { migrations: [initialMigration] }).close();
    const broken: Migration = {
      version: 2,
      name: 'broken',
      up: (db) => {
        db.exec('CREATE TABLE half (x INTEGER) STRICT');
        db.exec('THIS IS NOT SQL');
      }
    };
    expect(() => openDatabase(file, { migrations: [initialMigration, broken] })).toThrow();
    const db = new BetterSqlite3(file);
    expect(db.pragma('user_version', { simple: true })).toBe(1);
    expect(db.prepare("SELECT COUNT(*) FROM sqlite_master WHERE name = 'half'").pluck().get()).toBe(0);
    db.close();
  });

  it('refuse a project written by a newer app with PROJECT_INVALID', () => {
    const file = tmp.file('future.tstudio');
    const raw = new BetterSqlite3(file);
    raw.pragma(`user_version = ${latest + 1}`);
    raw.close();
    expect(() => openDatabase(file)).toThrow(
      expect.objectContaining({ code: 'PROJECT_INVALID', message: expect.stringMatching(/newer version/) })
    );
  });

  it('refuse a file that is not SQLite with PROJECT_INVALID', () => {
    const file = tmp.file('text.tstudio');
    writeFileSync(file, 'hello, I am a text file and not a database at all. '.repeat(40));
    expect(() => openDatabase(file)).toThrow(
      expect.objectContaining({ code: 'PROJECT_INVALID', message: expect.stringMatching(/not a Transfer Studio project/) })
    );
  });

  it("refuse another program's SQLite database with PROJECT_INVALID and leave it unchanged", () => {
    const file = tmp.file('notes.sqlite');
    const raw = new BetterSqlite3(file);
    raw.exec("CREATE TABLE notes (id INTEGER PRIMARY KEY, body TEXT); INSERT INTO notes (body) VALUES ('keep me')");
    raw.close();
    expect(() => openDatabase(file)).toThrow(
      expect.objectContaining({ code: 'PROJECT_INVALID', message: expect.stringMatching(/another program/) })
    );
    const after = new BetterSqlite3(file);
    expect(after.prepare("SELECT name FROM sqlite_master WHERE type = 'table'").pluck().all()).toEqual(['notes']);
    expect(after.pragma('journal_mode', { simple: true })).toBe('delete');
    after.close();
  });
});
