-- Image metadata. One row per image; custom properties and tags live in the row so that an image
-- is read and written as a unit, and every write is conditional on "revision" (optimistic
-- concurrency) or on "status" (the status machine, spec/images-api.md §3).
CREATE TABLE images (
  id               text        PRIMARY KEY,
  name             text,
  status           text        NOT NULL,
  visibility       text        NOT NULL,
  protected        boolean     NOT NULL DEFAULT false,
  os_hidden        boolean     NOT NULL DEFAULT false,
  owner            text,
  checksum         text,
  os_hash_algo     text,
  os_hash_value    text,
  size             bigint,
  virtual_size     bigint,
  container_format text,
  disk_format      text,
  min_ram          integer     NOT NULL DEFAULT 0,
  min_disk         integer     NOT NULL DEFAULT 0,
  tags             text[]      NOT NULL DEFAULT '{}',
  properties       jsonb       NOT NULL DEFAULT '{}',
  -- [{"store": id, "key": blob key, "metadata": {}}], in preference order
  locations        jsonb       NOT NULL DEFAULT '[]',
  created_at       timestamptz NOT NULL,
  updated_at       timestamptz NOT NULL,
  deleted          boolean     NOT NULL DEFAULT false,
  deleted_at       timestamptz,
  revision         bigint      NOT NULL DEFAULT 1,
  -- the node running the upload while status is 'saving': a restart of that node resets them
  upload_node      text
);

CREATE INDEX images_live_created_idx ON images (created_at DESC, id DESC) WHERE NOT deleted;
CREATE INDEX images_live_owner_idx ON images (owner) WHERE NOT deleted;
CREATE INDEX images_live_visibility_idx ON images (visibility) WHERE NOT deleted;
CREATE INDEX images_properties_idx ON images USING gin (properties jsonb_path_ops);
CREATE INDEX images_tags_idx ON images USING gin (tags);
CREATE INDEX images_saving_idx ON images (upload_node) WHERE status = 'saving';

CREATE TABLE image_members (
  image_id   text        NOT NULL REFERENCES images (id),
  member_id  text        NOT NULL,
  status     text        NOT NULL,
  created_at timestamptz NOT NULL,
  updated_at timestamptz NOT NULL,
  deleted    boolean     NOT NULL DEFAULT false,
  PRIMARY KEY (image_id, member_id)
);

CREATE INDEX image_members_live_member_idx ON image_members (member_id, status) WHERE NOT deleted;

-- Store data that no image references any more, written in the same transaction that drops the
-- reference (image delete) so that a crash between the database and the store leaks nothing:
-- a background sweeper deletes the blobs and then the rows.
CREATE TABLE blob_garbage (
  id         bigserial   PRIMARY KEY,
  store      text        NOT NULL,
  blob_key   text        NOT NULL,
  image_id   text,
  not_before timestamptz NOT NULL DEFAULT now(),
  attempts   integer     NOT NULL DEFAULT 0,
  last_error text
);

CREATE INDEX blob_garbage_due_idx ON blob_garbage (not_before);
