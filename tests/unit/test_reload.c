/* test_reload.c - the reload transaction (reload.h) without a kernel.
 *
 * The plan is computed from two configs loaded by config_load(); the
 * transaction runs over ops that stand in for the daemon's (the real ones
 * bind NFLOG groups and open files: tests/e2e/reload.sh runs those). The
 * ops write what they are asked to do into a journal of actions, which
 * each test compares with what the reload must do, in that order.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "check.h"
#include "config.h"
#include "output.h"
#include "reload.h"

/* The test's own stand-in for a bound group. */
struct group_rt {
	uint16_t group;
	const struct group_config *cfg;
	struct output **outs; /* the outputs array it was last routed with */
};

struct world {
	char journal[4096]; /* "open c; bind 4; ..." */
	const char *fail_output;
	int fail_group;
	int outputs_alive, groups_alive;
};

static void note(struct world *w, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void note(struct world *w, const char *fmt, ...)
{
	size_t n = strlen(w->journal);
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(w->journal + n, sizeof w->journal - n, fmt, ap);
	va_end(ap);
}

static struct output *fake_output(struct world *w, const char *name)
{
	struct output *o = calloc(1, sizeof *o);
	o->name = strdup(name);
	w->outputs_alive++;
	return o;
}

static struct output *open_output(void *arg, const struct output_config *oc, char *err,
				  size_t errlen)
{
	struct world *w = arg;
	if (w->fail_output && strcmp(oc->name, w->fail_output) == 0) {
		note(w, "fail %s; ", oc->name);
		snprintf(err, errlen, "output %s: cannot open it", oc->name);
		return NULL;
	}
	note(w, "open %s; ", oc->name);
	return fake_output(w, oc->name);
}

static void close_output(void *arg, struct output *o)
{
	struct world *w = arg;
	note(w, "close %s; ", o->name);
	free(o->name);
	free(o);
	w->outputs_alive--;
}

static struct group_rt *fake_group(struct world *w, const struct group_config *gc,
				   struct output **outs)
{
	struct group_rt *g = calloc(1, sizeof *g);
	g->group = gc->group;
	g->cfg = gc;
	g->outs = outs;
	w->groups_alive++;
	return g;
}

static struct group_rt *bind_group(void *arg, const struct group_config *gc, struct output **outs)
{
	struct world *w = arg;
	if (gc->group == w->fail_group) {
		note(w, "fail %u; ", gc->group);
		return NULL;
	}
	note(w, "bind %u; ", gc->group);
	return fake_group(w, gc, outs);
}

static void close_group(void *arg, struct group_rt *g)
{
	struct world *w = arg;
	note(w, "close %u; ", g->group);
	free(g);
	w->groups_alive--;
}

static void unbind_group(void *arg, struct group_rt *g)
{
	struct world *w = arg;
	note(w, "unbind %u; ", g->group);
	free(g);
	w->groups_alive--;
}

static void keep_group(void *arg, struct group_rt *g, const struct group_config *gc,
		       struct output **outs, bool changed)
{
	struct world *w = arg;
	note(w, "keep %u%s; ", g->group, changed ? " changed" : "");
	g->cfg = gc;
	g->outs = outs;
}

static const struct reload_ops fake_ops = {
	.open_output = open_output,
	.close_output = close_output,
	.bind_group = bind_group,
	.close_group = close_group,
	.unbind_group = unbind_group,
	.keep_group = keep_group,
};

static char tmpdir[64];

/* Load text as a config; the test stops if it does not load. */
static void load_text(const char *text, struct nflogd_config *cfg)
{
	char path[128];
	snprintf(path, sizeof path, "%s/reload.conf", tmpdir);
	FILE *f = fopen(path, "w");
	if (f) {
		fputs(text, f);
		fclose(f);
	}
	struct buf errors;
	buf_init(&errors);
	if (config_load(path, cfg, &errors, NULL) < 0) {
		printf("Bail out! test config does not load: %.*s\n", (int)errors.len,
		       errors.data ? errors.data : "");
		exit(1);
	}
	buf_free(&errors);
	unlink(path);
}

#define OUT(name, file) "{ name = \"" name "\"; type = \"file\"; path = \"/tmp/" file "\"; }"

/* Old: outputs a, b; groups 1 -> a, 2 -> b, 3 -> a. */
static const char old_text[] = "outputs = ( " OUT("a", "a.log") ", " OUT(
    "b", "b.log") " );\n"
		  "groups = ( { group = 1; outputs = (\"a\"); },\n"
		  "           { group = 2; outputs = (\"b\"); },\n"
		  "           { group = 3; outputs = (\"a\"); } );\n";

/* New: b unchanged, a moved to another file, c new; group 3 with other
 * options, 2 unchanged but routed to c, 4 new, 1 gone. */
static const char new_text[] = "outputs = ( " OUT("b", "b.log") ", " OUT("a", "a2.log") ", " OUT(
    "c", "c.log") " );\n"
		  "groups = ( { group = 3; outputs = (\"a\"); qthresh = 1; },\n"
		  "           { group = 2; outputs = (\"c\", \"b\"); },\n"
		  "           { group = 4; outputs = (\"c\"); } );\n";

/* What the daemon runs: cfg and outputs/groups made by the fake ops. */
static void start(struct world *w, struct running *run, const char *text)
{
	memset(run, 0, sizeof *run);
	load_text(text, &run->cfg);
	run->outputs = calloc(run->cfg.n_outputs + 1, sizeof *run->outputs);
	run->groups = calloc(run->cfg.n_groups + 1, sizeof *run->groups);
	for (size_t i = 0; i < run->cfg.n_outputs; i++)
		run->outputs[i] = fake_output(w, run->cfg.outputs[i].name);
	for (size_t i = 0; i < run->cfg.n_groups; i++)
		run->groups[i] = fake_group(w, &run->cfg.groups[i], run->outputs);
}

static void stop(struct world *w, struct running *run)
{
	for (size_t i = 0; i < run->cfg.n_groups; i++)
		close_group(w, run->groups[i]);
	for (size_t i = 0; i < run->cfg.n_outputs; i++)
		close_output(w, run->outputs[i]);
	free(run->groups);
	free(run->outputs);
	config_free(&run->cfg);
}

static void test_plan(void)
{
	struct nflogd_config old, new;
	load_text(old_text, &old);
	load_text(new_text, &new);
	struct reload_plan p;
	CHECK(reload_plan_make(&p, &old, &new) == 0, "plan made");
	CHECK(p.output_from[0] == 1, "b kept from old b");
	CHECK(p.output_from[1] == RELOAD_NONE, "a changed: opened anew");
	CHECK(p.output_from[2] == RELOAD_NONE, "c new: opened");
	CHECK(!p.output_kept[0] && p.output_kept[1], "old a closed, old b kept");
	CHECK(p.outputs_kept == 1, "one output kept");
	CHECK(p.group_from[0] == 2 && p.group_changed[0], "group 3 kept, options changed");
	CHECK(p.group_from[1] == 1 && !p.group_changed[1],
	      "group 2 kept, same options (other outputs are not a change of options)");
	CHECK(p.group_from[2] == RELOAD_NONE, "group 4 bound");
	CHECK(!p.group_kept[0] && p.group_kept[1] && p.group_kept[2], "group 1 unbound");
	CHECK(p.groups_kept == 2 && p.groups_changed == 1, "2 kept, 1 of them changed");
	reload_plan_free(&p);
	config_free(&old);
	config_free(&new);
}

static void test_commit(void)
{
	struct world w = { .fail_group = -1 };
	struct running run;
	start(&w, &run, old_text);
	struct output *old_b = run.outputs[1];
	struct group_rt *g2 = run.groups[1], *g3 = run.groups[2];
	struct nflogd_config cfg;
	load_text(new_text, &cfg);

	struct reload r;
	CHECK(reload_begin(&r, &run, &cfg, &fake_ops, &w) == 0, "begin succeeds");
	CHECK_STREQ(w.journal, "open a; open c; bind 4; ",
		    "begin opens and binds only what is new");
	CHECK(run.cfg.n_groups == 3 && run.groups[0]->group == 1,
	      "begin leaves what runs untouched");
	w.journal[0] = '\0';
	reload_commit(&r);
	CHECK_STREQ(w.journal, "unbind 1; keep 3 changed; keep 2; close a; ",
		    "commit: the group that goes drains first, then kept groups are re-routed, "
		    "then the old outputs close");
	CHECK(run.cfg.n_outputs == 3 && run.outputs[0] == old_b, "b runs on, the same output");
	CHECK(run.groups[0] == g3 && run.groups[1] == g2, "kept groups are the same objects");
	CHECK(g2->cfg == &run.cfg.groups[1] && g2->outs == run.outputs,
	      "a kept group points at the new config and outputs");
	CHECK(run.groups[2]->cfg == &run.cfg.groups[2], "a bound group points at the new config");
	struct reload_summary s = r.done;
	CHECK(s.groups_kept == 2 && s.groups_bound == 1 && s.groups_unbound == 1 &&
		  s.groups_reconfigured == 1,
	      "summary: groups 2 kept, 1 bound, 1 unbound, 1 reconfigured");
	CHECK(s.outputs_kept == 1 && s.outputs_opened == 2 && s.outputs_closed == 1,
	      "summary: outputs 1 kept, 2 opened, 1 closed");
	stop(&w, &run);
	CHECK(w.outputs_alive == 0 && w.groups_alive == 0, "nothing leaked or closed twice");
}

/* A failure in begin leaves what runs as it was, and discard closes
 * exactly what begin made. */
static void test_discard(const char *fail_output, int fail_group, const char *want_journal,
			 const char *want_error)
{
	struct world w = { .fail_output = fail_output, .fail_group = fail_group };
	struct running run;
	start(&w, &run, old_text);
	struct output *a = run.outputs[0];
	struct group_rt *g1 = run.groups[0];
	struct nflogd_config cfg;
	load_text(new_text, &cfg);
	struct reload r;
	CHECK(reload_begin(&r, &run, &cfg, &fake_ops, &w) == -1, "begin fails");
	CHECK_STREQ(r.error, want_error, "the reason");
	reload_discard(&r);
	CHECK_STREQ(w.journal, want_journal, "discard closes what begin made, nothing else");
	CHECK(run.cfg.n_outputs == 2 && run.outputs[0] == a && run.groups[0] == g1 &&
		  g1->cfg == &run.cfg.groups[0],
	      "what runs is untouched");
	stop(&w, &run);
	CHECK(w.outputs_alive == 0 && w.groups_alive == 0, "nothing leaked or closed twice");
}

/* The network namespace is part of a group's identity: the same number
 * in the same namespace (by name or by path) is kept; in another one it is
 * another group (unbound and bound); the others are not touched. */
static void test_netns(void)
{
	static const char old_text_ns[] = "outputs = ( " OUT(
	    "a",
	    "a.log") " );\n"
		     "groups = ( { group = 1; outputs = (\"a\"); },\n"
		     "           { group = 1; outputs = (\"a\"); netns = \"nflogd-t-red\"; },\n"
		     "           { group = 1; outputs = (\"a\"); netns = \"nflogd-t-blue\"; } );\n";
	static const char new_text_ns[] = "outputs = ( " OUT(
	    "a",
	    "a.log") " );\n"
		     "groups = ( { group = 1; outputs = (\"a\"); netns = "
		     "\"/run/netns/nflogd-t-red\"; },\n"
		     "           { group = 1; outputs = (\"a\"); netns = \"nflogd-t-green\"; },\n"
		     "           { group = 1; outputs = (\"a\"); } );\n";
	struct nflogd_config old, new;
	load_text(old_text_ns, &old);
	load_text(new_text_ns, &new);
	struct reload_plan p;
	CHECK(reload_plan_make(&p, &old, &new) == 0, "netns plan made");
	CHECK(p.group_from[0] == 1 && !p.group_changed[0],
	      "group 1 in red (a name, then a path) is kept");
	CHECK(p.group_from[1] == RELOAD_NONE, "group 1 in green is bound");
	CHECK(p.group_from[2] == 0, "group 1 of nflogd's own namespace is kept");
	CHECK(!p.group_kept[2], "group 1 in blue is unbound");
	reload_plan_free(&p);
	config_free(&old);
	config_free(&new);
}

/* Many groups in another order, half of them replaced: every match is
 * right (and the plan is made by sorting, not by a search per group). */
static void test_many_groups(void)
{
	enum { N = 65536 };
	struct nflogd_config old = { 0 }, new = { 0 };
	old.groups = calloc(N, sizeof *old.groups);
	new.groups = calloc(N, sizeof *new.groups);
	old.n_groups = new.n_groups = N;
	for (size_t i = 0; i < N; i++) {
		old.groups[i].group = (uint16_t)i;
		/* new: the odd numbers reversed, then the even ones with qthresh 2 */
		size_t k = i < N / 2 ? N - 1 - 2 * i : 2 * (i - N / 2);
		new.groups[i].group = (uint16_t)k;
		new.groups[i].qthresh = k % 2 ? 0 : 2;
	}
	struct reload_plan p;
	CHECK(reload_plan_make(&p, &old, &new) == 0, "plan of %d groups made", N);
	size_t wrong = 0;
	for (size_t i = 0; i < N; i++)
		wrong += p.group_from[i] != new.groups[i].group ||
			 p.group_changed[i] != (new.groups[i].group % 2 == 0);
	CHECK(wrong == 0, "every group matched to its old self, changes seen (%zu wrong)", wrong);
	CHECK(p.groups_kept == N && p.groups_changed == N / 2, "all kept, half changed");
	reload_plan_free(&p);
	free(old.groups);
	free(new.groups);
}

int main(void)
{
	snprintf(tmpdir, sizeof tmpdir, "/tmp/nflogd-test-reload-XXXXXX");
	if (!mkdtemp(tmpdir)) {
		perror("mkdtemp");
		return 1;
	}
	test_plan();
	test_commit();
	test_discard("c", -1, "open a; fail c; close a; ", "output c: cannot open it");
	test_discard(NULL, 4, "open a; open c; fail 4; close a; close c; ",
		     "group 4 cannot be bound (the reason is in the log)");
	test_many_groups();
	test_netns();
	rmdir(tmpdir);
	return check_done();
}
