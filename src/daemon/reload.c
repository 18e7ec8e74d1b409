/* reload.c - the reload plan (pure: two configs in, what to do out) and
 * the transaction that carries it out through struct reload_ops. */
#include "reload.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- the plan ---- */

/* qsort() comparators on arrays of element pointers. An old and a new
 * group are the same group, which keeps its socket, when their identity
 * is (config_group_identity_cmp(): every group match goes through it). */
static int group_ptr_cmp(const void *a, const void *b)
{
	return config_group_identity_cmp(*(const void *const *)a, *(const void *const *)b);
}

/* Outputs are the same output when they have the same name. */
static int output_ptr_cmp(const void *a, const void *b)
{
	const struct output_config *oa = *(const void *const *)a, *ob = *(const void *const *)b;
	return strcmp(oa->name, ob->name);
}

/* Pointers to the n elements of size bytes at base, sorted by cmp; NULL
 * when out of memory. Freed by the caller. */
static const void **sorted(const void *base, size_t n, size_t size,
			   int (*cmp)(const void *, const void *))
{
	const void **p = malloc((n + 1) * sizeof *p);
	if (!p)
		return NULL;
	for (size_t i = 0; i < n; i++)
		p[i] = (const char *)base + i * size;
	qsort(p, n, sizeof *p, cmp);
	return p;
}

/* from[i] = the index in old of the element that cmp finds equal to new[i],
 * or RELOAD_NONE; both sides sorted, then merged. 0, or -1 when out of
 * memory. */
static int match(const void *old, size_t n_old, const void *new, size_t n_new, size_t size,
		 int (*cmp)(const void *, const void *), size_t *from)
{
	const void **o = sorted(old, n_old, size, cmp), **n = sorted(new, n_new, size, cmp);
	int rc = o && n ? 0 : -1;
	for (size_t k = 0, i = 0; rc == 0 && k < n_new; k++) {
		size_t at = (size_t)((const char *)n[k] - (const char *)new) / size;
		while (i < n_old && cmp(&o[i], &n[k]) < 0)
			i++;
		bool same = i < n_old && cmp(&o[i], &n[k]) == 0;
		from[at] =
		    same ? (size_t)((const char *)o[i] - (const char *)old) / size : RELOAD_NONE;
	}
	free(o);
	free(n);
	return rc;
}

void reload_plan_free(struct reload_plan *p)
{
	free(p->output_from);
	free(p->group_from);
	free(p->group_changed);
	free(p->output_kept);
	free(p->group_kept);
	memset(p, 0, sizeof *p);
}

/* An output is kept only with the same settings; a changed one is opened
 * anew and the old one closed. */
static void plan_outputs(struct reload_plan *p, const struct nflogd_config *old,
			 const struct nflogd_config *new)
{
	for (size_t i = 0; i < new->n_outputs; i++) {
		size_t j = p->output_from[i];
		if (j == RELOAD_NONE)
			continue;
		if (!config_output_equal(&old->outputs[j], &new->outputs[i])) {
			p->output_from[i] = RELOAD_NONE;
			continue;
		}
		p->output_kept[j] = true;
		p->outputs_kept++;
	}
}

static void plan_groups(struct reload_plan *p, const struct nflogd_config *old,
			const struct nflogd_config *new)
{
	for (size_t i = 0; i < new->n_groups; i++) {
		size_t j = p->group_from[i];
		if (j == RELOAD_NONE)
			continue;
		p->group_kept[j] = true;
		p->groups_kept++;
		p->group_changed[i] = !config_group_options_equal(&old->groups[j], &new->groups[i]);
		p->groups_changed += p->group_changed[i];
	}
}

int reload_plan_make(struct reload_plan *p, const struct nflogd_config *old,
		     const struct nflogd_config *new)
{
	memset(p, 0, sizeof *p);
	p->output_from = calloc(new->n_outputs + 1, sizeof *p->output_from);
	p->group_from = calloc(new->n_groups + 1, sizeof *p->group_from);
	p->group_changed = calloc(new->n_groups + 1, sizeof *p->group_changed);
	p->output_kept = calloc(old->n_outputs + 1, sizeof *p->output_kept);
	p->group_kept = calloc(old->n_groups + 1, sizeof *p->group_kept);
	if (!p->output_from || !p->group_from || !p->group_changed || !p->output_kept ||
	    !p->group_kept ||
	    match(old->outputs, old->n_outputs, new->outputs, new->n_outputs, sizeof *new->outputs,
		  output_ptr_cmp, p->output_from) < 0 ||
	    match(old->groups, old->n_groups, new->groups, new->n_groups, sizeof *new->groups,
		  group_ptr_cmp, p->group_from) < 0) {
		reload_plan_free(p);
		return -1;
	}
	plan_outputs(p, old, new);
	plan_groups(p, old, new);
	return 0;
}

/* ---- the transaction ---- */

/* Take over the kept outputs, open the others. */
static int open_outputs(struct reload *r)
{
	const struct nflogd_config *new = &r->next.cfg;
	for (size_t i = 0; i < new->n_outputs; i++) {
		size_t j = r->plan.output_from[i];
		if (j != RELOAD_NONE) {
			r->next.outputs[i] = r->cur->outputs[j];
			continue;
		}
		char err[sizeof r->error];
		r->next.outputs[i] = r->ops->open_output(r->arg, &new->outputs[i], err, sizeof err);
		if (!r->next.outputs[i]) {
			snprintf(r->error, sizeof r->error, "%s", err);
			return -1;
		}
	}
	return 0;
}

/* Groups that stay keep their socket; new ones are bound now. */
static int bind_groups(struct reload *r)
{
	const struct nflogd_config *new = &r->next.cfg;
	for (size_t i = 0; i < new->n_groups; i++) {
		size_t j = r->plan.group_from[i];
		if (j != RELOAD_NONE) {
			r->next.groups[i] = r->cur->groups[j];
			continue;
		}
		r->next.groups[i] = r->ops->bind_group(r->arg, &new->groups[i], r->next.outputs);
		if (!r->next.groups[i]) {
			const struct group_config *gc = &new->groups[i];
			snprintf(r->error, sizeof r->error,
				 "group %u%s%.64s cannot be bound (the reason is in the log)",
				 gc->group, gc->netns ? " in netns " : "",
				 gc->netns ? gc->netns : "");
			return -1;
		}
	}
	return 0;
}

int reload_begin(struct reload *r, struct running *cur, struct nflogd_config *cfg,
		 const struct reload_ops *ops, void *arg)
{
	memset(r, 0, sizeof *r);
	r->ops = ops;
	r->arg = arg;
	r->cur = cur;
	r->next.cfg = *cfg;
	memset(cfg, 0, sizeof *cfg); /* the transaction owns it now */
	r->next.outputs = calloc(r->next.cfg.n_outputs + 1, sizeof *r->next.outputs);
	r->next.groups = calloc(r->next.cfg.n_groups + 1, sizeof *r->next.groups);
	if (!r->next.outputs || !r->next.groups ||
	    reload_plan_make(&r->plan, &cur->cfg, &r->next.cfg) < 0)
		return -1;
	return open_outputs(r) < 0 || bind_groups(r) < 0 ? -1 : 0;
}

void reload_discard(struct reload *r)
{
	for (size_t i = 0; r->next.groups && i < r->next.cfg.n_groups; i++)
		if (r->next.groups[i] && r->plan.group_from[i] == RELOAD_NONE)
			r->ops->close_group(r->arg, r->next.groups[i]);
	for (size_t i = 0; r->next.outputs && i < r->next.cfg.n_outputs; i++)
		if (r->next.outputs[i] && r->plan.output_from[i] == RELOAD_NONE)
			r->ops->close_output(r->arg, r->next.outputs[i]);
	free(r->next.outputs);
	free(r->next.groups);
	config_free(&r->next.cfg);
	reload_plan_free(&r->plan);
	memset(&r->next, 0, sizeof r->next);
}

void reload_commit(struct reload *r)
{
	struct running *cur = r->cur;
	const struct reload_plan *p = &r->plan;
	struct reload_summary *done = &r->done;
	for (size_t j = 0; j < cur->cfg.n_groups; j++) {
		if (p->group_kept[j])
			continue;
		r->ops->unbind_group(r->arg, cur->groups[j]); /* into its old outputs, still open */
		done->groups_unbound++;
	}
	for (size_t i = 0; i < r->next.cfg.n_groups; i++)
		if (p->group_from[i] != RELOAD_NONE)
			r->ops->keep_group(r->arg, r->next.groups[i], &r->next.cfg.groups[i],
					   r->next.outputs, p->group_changed[i]);
	for (size_t j = 0; j < cur->cfg.n_outputs; j++) {
		if (p->output_kept[j])
			continue;
		r->ops->close_output(r->arg, cur->outputs[j]);
		done->outputs_closed++;
	}
	done->outputs_kept = p->outputs_kept;
	done->outputs_opened = r->next.cfg.n_outputs - p->outputs_kept;
	done->groups_kept = p->groups_kept;
	done->groups_bound = r->next.cfg.n_groups - p->groups_kept;
	done->groups_reconfigured = p->groups_changed;
	free(cur->outputs);
	free(cur->groups);
	config_free(&cur->cfg);
	*cur = r->next;
	memset(&r->next, 0, sizeof r->next);
	reload_plan_free(&r->plan);
}
