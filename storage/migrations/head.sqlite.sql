-- copbot's SQLite schema at revision 0023. Written by `copbot db snapshot`: do not edit.
CREATE TABLE alembic_version (
	version_num VARCHAR(32) NOT NULL, 
	CONSTRAINT alembic_version_pkc PRIMARY KEY (version_num)
);

CREATE TABLE bot_state (
	"key" VARCHAR(100) NOT NULL, 
	value JSON NOT NULL, 
	updated_at DATETIME NOT NULL, 
	CONSTRAINT pk_bot_state PRIMARY KEY ("key")
);

CREATE TABLE processed_events (
	platform VARCHAR(16) NOT NULL, 
	event_id VARCHAR(255) NOT NULL, 
	processed_at DATETIME NOT NULL, 
	CONSTRAINT pk_processed_events PRIMARY KEY (platform, event_id)
);

CREATE TABLE audit_log (
	id INTEGER NOT NULL, 
	at DATETIME NOT NULL, 
	actor VARCHAR(300) NOT NULL, 
	actor_person_id INTEGER, 
	action VARCHAR(64) NOT NULL, 
	target VARCHAR(300), 
	reason TEXT, 
	details JSON NOT NULL, 
	CONSTRAINT pk_audit_log PRIMARY KEY (id), 
	CONSTRAINT fk_audit_log_actor_person_id_people FOREIGN KEY(actor_person_id) REFERENCES people (id) ON DELETE SET NULL
);

CREATE TABLE identities (
	id INTEGER NOT NULL, 
	person_id INTEGER NOT NULL, 
	platform VARCHAR(16) NOT NULL, 
	platform_user_id VARCHAR(255) NOT NULL, 
	username VARCHAR(255), 
	display_name VARCHAR(255) NOT NULL, 
	language VARCHAR(35), 
	created_at DATETIME NOT NULL, 
	last_seen_at DATETIME NOT NULL, 
	CONSTRAINT pk_identities PRIMARY KEY (id), 
	CONSTRAINT fk_identities_person_id_people FOREIGN KEY(person_id) REFERENCES people (id) ON DELETE CASCADE, 
	CONSTRAINT uq_identities_platform UNIQUE (platform, platform_user_id)
);

CREATE TABLE role_grants (
	person_id INTEGER NOT NULL, 
	role VARCHAR(16) NOT NULL, 
	granted_at DATETIME NOT NULL, 
	granted_by INTEGER, 
	CONSTRAINT pk_role_grants PRIMARY KEY (person_id, role), 
	CONSTRAINT fk_role_grants_granted_by_people FOREIGN KEY(granted_by) REFERENCES people (id) ON DELETE SET NULL, 
	CONSTRAINT fk_role_grants_person_id_people FOREIGN KEY(person_id) REFERENCES people (id) ON DELETE CASCADE
);

CREATE TABLE applications (
	id INTEGER NOT NULL, 
	person_id INTEGER NOT NULL, 
	platform VARCHAR(16) NOT NULL, 
	platform_user_id VARCHAR(255) NOT NULL, 
	status VARCHAR(16) NOT NULL, 
	answers JSON NOT NULL, 
	progress JSON NOT NULL, 
	version INTEGER NOT NULL, 
	created_at DATETIME NOT NULL, 
	updated_at DATETIME NOT NULL, 
	reminded_at DATETIME, 
	submitted_at DATETIME, 
	decided_at DATETIME, 
	decided_by INTEGER, 
	decided_by_name VARCHAR(255), 
	reason TEXT, 
	CONSTRAINT pk_applications PRIMARY KEY (id), 
	CONSTRAINT fk_applications_decided_by_people FOREIGN KEY(decided_by) REFERENCES people (id) ON DELETE SET NULL, 
	CONSTRAINT fk_applications_person_id_people FOREIGN KEY(person_id) REFERENCES people (id) ON DELETE CASCADE
);

CREATE TABLE dialogue_subscriptions (
	person_id INTEGER NOT NULL, 
	created_at DATETIME NOT NULL, 
	CONSTRAINT pk_dialogue_subscriptions PRIMARY KEY (person_id), 
	CONSTRAINT fk_dialogue_subscriptions_person_id_people FOREIGN KEY(person_id) REFERENCES people (id) ON DELETE CASCADE
);

CREATE TABLE dialogues (
	id INTEGER NOT NULL, 
	slug VARCHAR(100), 
	title JSON NOT NULL, 
	description JSON NOT NULL, 
	start_date DATE NOT NULL, 
	end_date DATE NOT NULL, 
	timezone VARCHAR(64) NOT NULL, 
	status VARCHAR(16) NOT NULL, 
	created_at DATETIME NOT NULL, 
	created_by INTEGER, 
	CONSTRAINT pk_dialogues PRIMARY KEY (id), 
	CONSTRAINT fk_dialogues_created_by_people FOREIGN KEY(created_by) REFERENCES people (id) ON DELETE SET NULL, 
	CONSTRAINT uq_dialogues_slug UNIQUE (slug)
);

CREATE TABLE prompts (
	id INTEGER NOT NULL, 
	dialogue_id INTEGER NOT NULL, 
	position INTEGER NOT NULL, 
	text JSON NOT NULL, 
	post_at DATETIME NOT NULL, never_posted BOOLEAN DEFAULT 0 NOT NULL, 
	CONSTRAINT pk_prompts PRIMARY KEY (id), 
	CONSTRAINT fk_prompts_dialogue_id_dialogues FOREIGN KEY(dialogue_id) REFERENCES dialogues (id) ON DELETE CASCADE
);

CREATE TABLE prompt_posts (
	id INTEGER NOT NULL, 
	prompt_id INTEGER NOT NULL, 
	platform VARCHAR(16) NOT NULL, 
	chat_id VARCHAR(255) NOT NULL, 
	thread_id VARCHAR(255), 
	message_id VARCHAR(255), 
	claimed_at DATETIME NOT NULL, 
	posted_at DATETIME, 
	CONSTRAINT pk_prompt_posts PRIMARY KEY (id), 
	CONSTRAINT fk_prompt_posts_prompt_id_prompts FOREIGN KEY(prompt_id) REFERENCES prompts (id) ON DELETE CASCADE, 
	CONSTRAINT uq_prompt_posts_prompt_id UNIQUE (prompt_id, platform, chat_id)
);

CREATE TABLE replies (
	id INTEGER NOT NULL, 
	prompt_id INTEGER NOT NULL, 
	person_id INTEGER, 
	platform VARCHAR(16) NOT NULL, 
	chat_id VARCHAR(255) NOT NULL, 
	message_id VARCHAR(255), 
	text TEXT NOT NULL, 
	created_at DATETIME NOT NULL, 
	edited_at DATETIME, 
	deleted_at DATETIME, 
	CONSTRAINT pk_replies PRIMARY KEY (id), 
	CONSTRAINT fk_replies_person_id_people FOREIGN KEY(person_id) REFERENCES people (id) ON DELETE SET NULL, 
	CONSTRAINT fk_replies_prompt_id_prompts FOREIGN KEY(prompt_id) REFERENCES prompts (id) ON DELETE CASCADE
);

CREATE TABLE wiki_entries (
	id INTEGER NOT NULL, 
	kind VARCHAR(16) NOT NULL, 
	slug VARCHAR(120) NOT NULL, 
	title VARCHAR(300) NOT NULL, 
	summary TEXT NOT NULL, 
	body TEXT NOT NULL, 
	link VARCHAR(1000), 
	tags JSON NOT NULL, 
	region VARCHAR(100), 
	country VARCHAR(2), 
	language VARCHAR(8) NOT NULL, 
	deadline DATE, 
	updated_at DATETIME NOT NULL, 
	CONSTRAINT pk_wiki_entries PRIMARY KEY (id), 
	CONSTRAINT uq_wiki_entries_slug UNIQUE (slug)
);

CREATE TABLE wiki_search (
	entry_id INTEGER NOT NULL, 
	title TEXT NOT NULL, 
	tags TEXT NOT NULL, 
	summary TEXT NOT NULL, 
	body TEXT NOT NULL, 
	facets TEXT NOT NULL, 
	CONSTRAINT pk_wiki_search PRIMARY KEY (entry_id), 
	CONSTRAINT fk_wiki_search_entry_id_wiki_entries FOREIGN KEY(entry_id) REFERENCES wiki_entries (id) ON DELETE CASCADE
);

CREATE TABLE wiki_translations (
	id INTEGER NOT NULL, 
	entry_id INTEGER NOT NULL, 
	language VARCHAR(8) NOT NULL, 
	title VARCHAR(300) NOT NULL, 
	summary TEXT NOT NULL, 
	body TEXT NOT NULL, 
	CONSTRAINT pk_wiki_translations PRIMARY KEY (id), 
	CONSTRAINT fk_wiki_translations_entry_id_wiki_entries FOREIGN KEY(entry_id) REFERENCES wiki_entries (id) ON DELETE CASCADE, 
	CONSTRAINT uq_wiki_translations_entry_id UNIQUE (entry_id, language)
);

CREATE VIRTUAL TABLE wiki_fts USING fts5(
        title, tags, summary, body, facets,
        content='wiki_search', content_rowid='entry_id',
        tokenize='unicode61 remove_diacritics 2'
    );

CREATE VIRTUAL TABLE wiki_title_fts USING fts5(
        title, facets,
        content='wiki_search', content_rowid='entry_id',
        tokenize='unicode61 remove_diacritics 2'
    );

CREATE TABLE broadcasts (
	id INTEGER NOT NULL, 
	kind VARCHAR(32) NOT NULL, 
	created_at DATETIME NOT NULL, 
	created_by VARCHAR(300), 
	locale VARCHAR(16) NOT NULL, 
	report_platform VARCHAR(16), 
	report_chat VARCHAR(255), 
	report_thread VARCHAR(255), 
	report_message VARCHAR(255), 
	total INTEGER NOT NULL, 
	finished_at DATETIME, 
	CONSTRAINT pk_broadcasts PRIMARY KEY (id)
);

CREATE TABLE unreachable_recipients (
	platform VARCHAR(16) NOT NULL, 
	recipient_id VARCHAR(255) NOT NULL, 
	since DATETIME NOT NULL, 
	reason TEXT, 
	CONSTRAINT pk_unreachable_recipients PRIMARY KEY (platform, recipient_id)
);

CREATE TABLE outbox (
	id INTEGER NOT NULL, 
	broadcast_id INTEGER, 
	platform VARCHAR(16) NOT NULL, 
	recipient_kind VARCHAR(4) NOT NULL, 
	recipient_id VARCHAR(255) NOT NULL, 
	thread_id VARCHAR(255), 
	payload JSON NOT NULL, 
	idempotency_key VARCHAR(64) NOT NULL, 
	status VARCHAR(12) NOT NULL, 
	attempts INTEGER NOT NULL, 
	next_attempt_at DATETIME, 
	created_at DATETIME NOT NULL, 
	sent_at DATETIME, 
	message_id VARCHAR(255), 
	last_error TEXT, 
	CONSTRAINT pk_outbox PRIMARY KEY (id), 
	CONSTRAINT fk_outbox_broadcast_id_broadcasts FOREIGN KEY(broadcast_id) REFERENCES broadcasts (id) ON DELETE CASCADE
);

CREATE TABLE "prompt_copies" (
	id INTEGER NOT NULL, 
	prompt_id INTEGER NOT NULL, 
	outbox_id INTEGER NOT NULL, 
	CONSTRAINT pk_prompt_copies PRIMARY KEY (id), 
	CONSTRAINT fk_prompt_copies_prompt_id_prompts FOREIGN KEY(prompt_id) REFERENCES prompts (id) ON DELETE CASCADE, 
	CONSTRAINT uq_prompt_copies_outbox_id UNIQUE (outbox_id), 
	CONSTRAINT fk_prompt_copies_outbox_id_outbox FOREIGN KEY(outbox_id) REFERENCES outbox (id) ON DELETE CASCADE
);

CREATE TABLE pending_replies (
	id INTEGER NOT NULL, 
	platform VARCHAR(16) NOT NULL, 
	recipient_kind VARCHAR(4) NOT NULL, 
	recipient_id VARCHAR(255) NOT NULL, 
	thread_id VARCHAR(255), 
	payload JSON NOT NULL, 
	idempotency_key VARCHAR(64) NOT NULL, 
	created_at DATETIME NOT NULL, 
	CONSTRAINT pk_pending_replies PRIMARY KEY (id), 
	CONSTRAINT uq_pending_replies_idempotency_key UNIQUE (idempotency_key)
);

CREATE TABLE application_events (
	id INTEGER NOT NULL, 
	application_id INTEGER NOT NULL, 
	at DATETIME NOT NULL, 
	kind VARCHAR(16) NOT NULL, 
	actor_person_id INTEGER, 
	actor_name VARCHAR(255), 
	note TEXT, 
	details JSON NOT NULL, 
	CONSTRAINT pk_application_events PRIMARY KEY (id), 
	CONSTRAINT fk_application_events_application_id_applications FOREIGN KEY(application_id) REFERENCES applications (id) ON DELETE CASCADE, 
	CONSTRAINT fk_application_events_actor_person_id_people FOREIGN KEY(actor_person_id) REFERENCES people (id) ON DELETE SET NULL
);

CREATE TABLE member_thread_copies (
	id INTEGER NOT NULL, 
	member_thread_id INTEGER NOT NULL, 
	platform VARCHAR(16) NOT NULL, 
	chat_id VARCHAR(255) NOT NULL, 
	thread_id VARCHAR(255), 
	message_id VARCHAR(255), 
	opened_at DATETIME, 
	CONSTRAINT pk_member_thread_copies PRIMARY KEY (id), 
	CONSTRAINT fk_member_thread_copies_member_thread_id_member_threads FOREIGN KEY(member_thread_id) REFERENCES member_threads (id) ON DELETE CASCADE, 
	CONSTRAINT uq_member_thread_copies_member_thread_id UNIQUE (member_thread_id, platform, chat_id)
);

CREATE TABLE member_profiles (
	person_id INTEGER NOT NULL, 
	name VARCHAR(200) NOT NULL, 
	bio TEXT NOT NULL, 
	organisation VARCHAR(200) NOT NULL, 
	languages JSON NOT NULL, 
	expertise JSON NOT NULL, 
	listed BOOLEAN DEFAULT 0 NOT NULL, 
	show_handle BOOLEAN DEFAULT 0 NOT NULL, 
	updated_at DATETIME NOT NULL, quote_publicly BOOLEAN DEFAULT 0 NOT NULL, 
	CONSTRAINT pk_member_profiles PRIMARY KEY (person_id), 
	CONSTRAINT fk_member_profiles_person_id_people FOREIGN KEY(person_id) REFERENCES people (id) ON DELETE CASCADE
);

CREATE TABLE wiki_suggestions (
	id INTEGER NOT NULL, 
	person_id INTEGER NOT NULL, 
	platform VARCHAR(16) NOT NULL, 
	platform_user_id VARCHAR(255) NOT NULL, 
	title VARCHAR(300) NOT NULL, 
	fields JSON NOT NULL, 
	status VARCHAR(16) NOT NULL, 
	reason TEXT, 
	reviewed_by INTEGER, 
	reviewed_by_name VARCHAR(255), 
	created_at DATETIME NOT NULL, 
	decided_at DATETIME, 
	CONSTRAINT pk_wiki_suggestions PRIMARY KEY (id), 
	CONSTRAINT fk_wiki_suggestions_person_id_people FOREIGN KEY(person_id) REFERENCES people (id) ON DELETE CASCADE, 
	CONSTRAINT fk_wiki_suggestions_reviewed_by_people FOREIGN KEY(reviewed_by) REFERENCES people (id) ON DELETE SET NULL
);

CREATE TABLE "member_threads" (
	id INTEGER NOT NULL, 
	title TEXT NOT NULL, 
	person_id INTEGER, 
	created_at DATETIME NOT NULL, 
	message_count INTEGER DEFAULT '0' NOT NULL, 
	last_activity_at DATETIME NOT NULL, 
	closed_at DATETIME, 
	CONSTRAINT pk_member_threads PRIMARY KEY (id), 
	CONSTRAINT fk_member_threads_person_id_people FOREIGN KEY(person_id) REFERENCES people (id) ON DELETE SET NULL
);

CREATE TABLE outbox_attachments (
	outbox_id INTEGER NOT NULL, 
	source_platform VARCHAR(16) NOT NULL, 
	source_ref TEXT NOT NULL, 
	kind VARCHAR(12) NOT NULL, 
	filename VARCHAR(255) NOT NULL, 
	media_type VARCHAR(255) NOT NULL, 
	size INTEGER, 
	data BLOB, 
	note JSON NOT NULL, 
	too_large JSON NOT NULL, 
	CONSTRAINT pk_outbox_attachments PRIMARY KEY (outbox_id), 
	CONSTRAINT fk_outbox_attachments_outbox_id_outbox FOREIGN KEY(outbox_id) REFERENCES outbox (id) ON DELETE CASCADE
);

CREATE TABLE join_requests (
	platform VARCHAR(16) NOT NULL, 
	user_id VARCHAR(255) NOT NULL, 
	chat_id VARCHAR(255) NOT NULL, 
	user_chat_id VARCHAR(255) NOT NULL, 
	requested_at DATETIME NOT NULL, 
	CONSTRAINT pk_join_requests PRIMARY KEY (platform, user_id)
);

CREATE TABLE "people" (
	id INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT, 
	display_name VARCHAR(255) NOT NULL, 
	locale VARCHAR(16), 
	country VARCHAR(2), 
	created_at DATETIME NOT NULL, 
	banned_at DATETIME, 
	banned_reason TEXT, 
	delivery_platform VARCHAR(16)
, name_source VARCHAR(16) DEFAULT 'platform' NOT NULL, announcements BOOLEAN DEFAULT 1 NOT NULL);

CREATE TABLE "relayed_messages" (
	id INTEGER NOT NULL, 
	source_platform VARCHAR(16) NOT NULL, 
	source_chat VARCHAR(255) NOT NULL, 
	source_message VARCHAR(255) NOT NULL, 
	target_platform VARCHAR(16) NOT NULL, 
	target_chat VARCHAR(255) NOT NULL, 
	target_thread VARCHAR(255), 
	outbox_id INTEGER NOT NULL, 
	created_at DATETIME NOT NULL, 
	person_id INTEGER, 
	CONSTRAINT pk_relayed_messages PRIMARY KEY (id), 
	CONSTRAINT uq_relayed_messages_outbox_id UNIQUE (outbox_id), 
	CONSTRAINT uq_relayed_messages_source_platform UNIQUE (source_platform, source_chat, source_message, target_platform, target_chat), 
	CONSTRAINT fk_relayed_messages_outbox_id_outbox FOREIGN KEY(outbox_id) REFERENCES outbox (id) ON DELETE CASCADE, 
	CONSTRAINT fk_relayed_messages_person_id_people FOREIGN KEY(person_id) REFERENCES people (id) ON DELETE SET NULL
);

CREATE TABLE leases (
	name VARCHAR(100) NOT NULL, 
	holder VARCHAR(200) NOT NULL, 
	token BIGINT NOT NULL, 
	expires_at FLOAT NOT NULL, 
	CONSTRAINT pk_leases PRIMARY KEY (name)
);

CREATE TABLE rate_budget (
	platform VARCHAR(16) NOT NULL, 
	scope VARCHAR(300) NOT NULL, 
	next_at FLOAT NOT NULL, 
	CONSTRAINT pk_rate_budget PRIMARY KEY (platform, scope)
);

CREATE INDEX ix_processed_events_processed_at ON processed_events (processed_at);

CREATE INDEX ix_audit_log_action ON audit_log (action);

CREATE INDEX ix_audit_log_actor_person_id ON audit_log (actor_person_id);

CREATE INDEX ix_audit_log_at ON audit_log (at);

CREATE INDEX ix_identities_person_id ON identities (person_id);

CREATE INDEX ix_identities_username ON identities (username);

CREATE INDEX ix_applications_person_status ON applications (person_id, status);

CREATE INDEX ix_applications_status_updated ON applications (status, updated_at);

CREATE INDEX ix_dialogues_status ON dialogues (status);

CREATE INDEX ix_prompts_dialogue_id ON prompts (dialogue_id);

CREATE INDEX ix_prompts_post_at ON prompts (post_at);

CREATE INDEX ix_prompt_posts_thread ON prompt_posts (platform, chat_id, thread_id);

CREATE INDEX ix_replies_message ON replies (platform, chat_id, message_id);

CREATE INDEX ix_replies_person_id ON replies (person_id);

CREATE INDEX ix_replies_prompt_id ON replies (prompt_id);

CREATE INDEX ix_wiki_entries_kind_deadline ON wiki_entries (kind, deadline);

CREATE INDEX ix_outbox_broadcast_id ON outbox (broadcast_id);

CREATE INDEX ix_outbox_due ON outbox (status, id);

CREATE INDEX ix_prompt_copies_prompt_id ON prompt_copies (prompt_id);

CREATE INDEX ix_outbox_delivered ON outbox (platform, recipient_id, message_id);

CREATE INDEX ix_application_events_application ON application_events (application_id, id);

CREATE UNIQUE INDEX uq_applications_open_person ON applications (person_id) WHERE status IN ('draft', 'submitted', 'needs_changes');

CREATE INDEX ix_member_thread_copies_thread ON member_thread_copies (platform, chat_id, thread_id);

CREATE UNIQUE INDEX ix_prompts_dialogue_position ON prompts (dialogue_id, position);

CREATE INDEX ix_wiki_suggestions_person_id ON wiki_suggestions (person_id);

CREATE INDEX ix_wiki_suggestions_status_id ON wiki_suggestions (status, id);

CREATE INDEX ix_member_threads_person_id ON member_threads (person_id);

CREATE INDEX ix_member_threads_open_activity ON member_threads (closed_at, last_activity_at);

CREATE INDEX ix_relayed_messages_person_id ON relayed_messages (person_id);

CREATE TRIGGER wiki_search_ai AFTER INSERT ON wiki_search BEGIN
        INSERT INTO wiki_fts(rowid, title, tags, summary, body, facets)
        VALUES (new.entry_id, new.title, new.tags, new.summary, new.body, new.facets);
        INSERT INTO wiki_title_fts(rowid, title, facets) VALUES (new.entry_id, new.title, new.facets);
    END;

CREATE TRIGGER wiki_search_ad AFTER DELETE ON wiki_search BEGIN
        INSERT INTO wiki_fts(wiki_fts, rowid, title, tags, summary, body, facets)
        VALUES ('delete', old.entry_id, old.title, old.tags, old.summary, old.body, old.facets);
        INSERT INTO wiki_title_fts(wiki_title_fts, rowid, title, facets)
        VALUES ('delete', old.entry_id, old.title, old.facets);
    END;

CREATE TRIGGER wiki_search_au AFTER UPDATE ON wiki_search BEGIN
        INSERT INTO wiki_fts(wiki_fts, rowid, title, tags, summary, body, facets)
        VALUES ('delete', old.entry_id, old.title, old.tags, old.summary, old.body, old.facets);
        INSERT INTO wiki_title_fts(wiki_title_fts, rowid, title, facets)
        VALUES ('delete', old.entry_id, old.title, old.facets);
        INSERT INTO wiki_fts(rowid, title, tags, summary, body, facets)
        VALUES (new.entry_id, new.title, new.tags, new.summary, new.body, new.facets);
        INSERT INTO wiki_title_fts(rowid, title, facets) VALUES (new.entry_id, new.title, new.facets);
    END;
