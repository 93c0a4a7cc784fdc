// SPDX-License-Identifier: GPL-2.0
/*
 * swiotlb_elastic_test - drive streaming DMA mappings through swiotlb from
 * user space and check that bouncing preserves every byte.
 *
 * On load the module registers the platform device "swiotlb_elastic_test"
 * (dma-direct, default swiotlb pool) and a PCI driver for QEMU's "edu"
 * device.  Everything is controlled through debugfs, see
 * /sys/kernel/debug/swiotlb_elastic_test/:
 *
 *   mask              (rw) DMA mask width in bits of the platform device
 *   max_mapping_size  (r)  dma_max_mapping_size() of the platform device
 *   held              (r)  number of mappings currently held
 *   stats             (r)  cumulative counters since load
 *   cmd               (w)  "map N SIZE DIR", "sync", "unmap",
 *                          "unmap N" (the N oldest held mappings),
 *                          "run N SIZE DIR", "edu SIZE"
 *   inject_corrupt    (rw) flip one byte of what the device sees in that
 *                          many of the next mappings, so that a test can
 *                          show that the checks catch a bad bounce
 *
 * DIR is one of "to", "from" or "bidi".  The device side of a bounced
 * mapping is simulated by reading and writing the bounce buffer through the
 * kernel's direct map.
 */

#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/cache.h>
#include <linux/debugfs.h>
#include <linux/delay.h>
#include <linux/dma-direct.h>
#include <linux/dma-mapping.h>
#include <linux/err.h>
#include <linux/gfp.h>
#include <linux/io.h>
#include <linux/io-64-nonatomic-lo-hi.h>
#include <linux/jiffies.h>
#include <linux/kernel.h>
#include <linux/list.h>
#include <linux/log2.h>
#include <linux/minmax.h>
#include <linux/module.h>
#include <linux/mutex.h>
#include <linux/pci.h>
#include <linux/platform_device.h>
#include <linux/seq_file.h>
#include <linux/sizes.h>
#include <linux/slab.h>
#include <linux/string.h>

#include "swiotlb_elastic_test_stats.h"

#define SET_NAME		"swiotlb_elastic_test"

/* Limits of the "cmd" interface. */
#define SET_CMD_MAX_LEN		128
#define SET_MAX_BUFS		4096	/* buffers per map/run command */
#define SET_MAX_HELD		65536	/* mappings held at any time */
#define SET_MAX_SIZE		SZ_1G	/* larger sizes are rejected */

/* QEMU "edu" device, BAR0 registers. */
#define EDU_VENDOR_ID		0x1234
#define EDU_DEVICE_ID		0x11e8
#define EDU_REG_DMA_SRC		0x80
#define EDU_REG_DMA_DST		0x88
#define EDU_REG_DMA_CNT		0x90
#define EDU_REG_DMA_CMD		0x98
#define EDU_DMA_CMD_START	BIT(0)
#define EDU_DMA_CMD_TO_RAM	BIT(1)
#define EDU_DMA_BUF_ADDR	0x40000
#define EDU_DMA_BUF_SIZE	4096
#define EDU_DMA_CHUNK		2048
#define EDU_POLL_US		10000
#define EDU_TIMEOUT_MS		5000

/**
 * struct set_buf - one streaming mapping held by the module
 * @node:	entry in set_state.held
 * @cpu:	CPU buffer (kmalloc or alloc_pages_exact)
 * @size:	size of the buffer and of the mapping
 * @pages:	@cpu comes from alloc_pages_exact()
 * @dma:	DMA address returned by dma_map_single()
 * @dir:	direction of the mapping
 * @idx:	buffer index, part of the pattern
 * @seed:	seed of the pattern the buffer is expected to hold
 */
struct set_buf {
	struct list_head node;
	void *cpu;
	size_t size;
	bool pages;
	dma_addr_t dma;
	enum dma_data_direction dir;
	unsigned int idx;
	u8 seed;
};

/**
 * struct set_state - the module's state, protected by @lock
 * @lock:	serializes commands, mask changes and readers of the state
 * @pdev:	the platform test device
 * @debugfs:	debugfs directory
 * @held:	list of struct set_buf currently mapped
 * @nr_held:	number of entries on @held
 * @stats:	cumulative counters, shown in debugfs "stats"
 * @seed:	seed of the next buffer's pattern
 * @edu:	bound edu device or NULL
 * @edu_regs:	BAR0 of @edu
 * @edu_dead:	a transfer timed out; @edu is no longer used
 * @inject_corrupt: mappings still to be corrupted on purpose (debugfs)
 */
struct set_state {
	struct mutex lock;	/* serializes commands and mask changes */
	struct platform_device *pdev;
	struct dentry *debugfs;
	struct list_head held;
	unsigned long nr_held;
	struct set_stats stats;
	u8 seed;
	struct pci_dev *edu;
	void __iomem *edu_regs;
	bool edu_dead;
	u32 inject_corrupt;
};

static struct set_state st = {
	.lock = __MUTEX_INITIALIZER(st.lock),
	.held = LIST_HEAD_INIT(st.held),
};

static struct device *set_dev(void)
{
	return &st.pdev->dev;
}

static bool set_dir_to_dev(enum dma_data_direction dir)
{
	return dir == DMA_TO_DEVICE || dir == DMA_BIDIRECTIONAL;
}

static bool set_dir_from_dev(enum dma_data_direction dir)
{
	return dir == DMA_FROM_DEVICE || dir == DMA_BIDIRECTIONAL;
}

/* What the device sees: the bounce buffer, or the buffer itself. */
static u8 *set_dev_view(struct device *dev, dma_addr_t dma)
{
	return phys_to_virt(dma_to_phys(dev, dma));
}

static bool set_is_bounced(struct device *dev, dma_addr_t dma, void *cpu)
{
	return dma_to_phys(dev, dma) != virt_to_phys(cpu);
}

static void set_fill(u8 *p, size_t len, u8 seed, unsigned int idx)
{
	size_t i;

	for (i = 0; i < len; i++)
		p[i] = (u8)(seed + i * 31 + idx);
}

/**
 * set_check() - compare memory with the expected pattern
 * @what:	name of the check, for the log
 * @p:		memory to check
 * @len:	number of bytes to check
 * @seed:	seed of the expected pattern
 * @idx:	buffer index of the expected pattern
 *
 * Accounts the bytes in stats.bytes and a failed check in stats.corrupt.
 * Context: st.lock held.
 * Return: true if every byte matches.
 */
static bool set_check(const char *what, const u8 *p, size_t len, u8 seed,
		      unsigned int idx)
{
	size_t i, bad = 0, first = 0;

	for (i = 0; i < len; i++) {
		if (p[i] == (u8)(seed + i * 31 + idx))
			continue;
		if (!bad)
			first = i;
		bad++;
	}
	st.stats.bytes += len;
	if (!bad)
		return true;
	st.stats.corrupt++;
	pr_warn_ratelimited("%s: buffer %u: %zu of %zu bytes differ, first at offset %zu\n",
			    what, idx, bad, len, first);
	return false;
}

/**
 * set_alloc() - allocate a DMA-able buffer
 * @size:	bytes needed
 * @pages:	set when the buffer comes from alloc_pages_exact()
 *
 * Small buffers are rounded up to a power of two of at least a cache line:
 * kmalloc() aligns those naturally, so no two buffers share a cache line
 * (DMA-API debugging reports overlapping mappings otherwise).
 *
 * Return: the buffer or NULL.
 */
static void *set_alloc(size_t size, bool *pages)
{
	/* Fail rather than warn or invoke the OOM killer. */
	const gfp_t gfp = GFP_KERNEL | __GFP_RETRY_MAYFAIL | __GFP_NOWARN;

	*pages = false;
	if (size <= KMALLOC_MAX_CACHE_SIZE)
		return kmalloc(roundup_pow_of_two(max_t(size_t, size,
							L1_CACHE_BYTES)), gfp);
	if (size <= KMALLOC_MAX_SIZE)
		return kmalloc(size, gfp);
	*pages = true;
	return alloc_pages_exact(size, gfp);
}

static void set_free(struct set_buf *b)
{
	if (b->pages)
		free_pages_exact(b->cpu, b->size);
	else
		kfree(b->cpu);
	kfree(b);
}

/**
 * set_map_one() - allocate, fill, map and hold one buffer
 * @size:	size of the buffer
 * @dir:	direction of the mapping
 *
 * For DMA_TO_DEVICE and DMA_BIDIRECTIONAL the device's view of the new
 * mapping must hold the pattern.  A mapping whose check failed stays held.
 *
 * Context: st.lock held.
 * Return: 0, -ENOMEM if allocating or mapping failed, -EIO on a mismatch.
 */
static int set_map_one(size_t size, enum dma_data_direction dir)
{
	struct device *dev = set_dev();
	struct set_buf *b;

	b = kzalloc(sizeof(*b), GFP_KERNEL);
	if (!b)
		return -ENOMEM;
	b->cpu = set_alloc(size, &b->pages);
	if (!b->cpu) {
		kfree(b);
		return -ENOMEM;
	}
	b->size = size;
	b->dir = dir;
	b->idx = st.nr_held;
	b->seed = st.seed;
	st.seed += 7;
	set_fill(b->cpu, size, b->seed, b->idx);

	b->dma = dma_map_single(dev, b->cpu, size, dir);
	if (dma_mapping_error(dev, b->dma)) {
		st.stats.failed++;
		set_free(b);
		return -ENOMEM;
	}
	st.stats.maps++;
	if (set_is_bounced(dev, b->dma, b->cpu))
		st.stats.bounced++;
	list_add_tail(&b->node, &st.held);
	st.nr_held++;

	if (READ_ONCE(st.inject_corrupt)) {
		WRITE_ONCE(st.inject_corrupt, st.inject_corrupt - 1);
		set_dev_view(dev, b->dma)[size / 2] ^= 0xff;
	}
	if (set_dir_to_dev(dir) &&
	    !set_check("map", set_dev_view(dev, b->dma), size, b->seed, b->idx))
		return -EIO;
	return 0;
}

/**
 * set_cmd_map() - "map N SIZE DIR"
 * @n:		number of buffers
 * @size:	size of each buffer
 * @dir:	direction of the mappings
 *
 * Stops at the first allocation or mapping failure; the mappings made so
 * far stay held.
 *
 * Context: st.lock held.
 * Return: 0, -EIO if a check failed, else -ENOMEM if a mapping failed,
 * -ENOSPC if too many mappings would be held.
 */
static int set_cmd_map(unsigned int n, size_t size,
		       enum dma_data_direction dir)
{
	bool corrupt = false;
	unsigned int i;
	int ret = 0;

	if (st.nr_held + n > SET_MAX_HELD)
		return -ENOSPC;
	for (i = 0; i < n; i++) {
		ret = set_map_one(size, dir);
		if (ret == -EIO) {
			corrupt = true;
			ret = 0;
		}
		if (ret)
			break;
		cond_resched();
	}
	return corrupt ? -EIO : ret;
}

/**
 * set_cmd_sync() - "sync": hand every held mapping to the CPU and back
 *
 * For DMA_FROM_DEVICE and DMA_BIDIRECTIONAL the device writes a fresh
 * pattern, which the CPU must see after dma_sync_single_for_cpu().  For
 * DMA_TO_DEVICE and DMA_BIDIRECTIONAL the CPU then writes a fresh pattern,
 * which the device must see after dma_sync_single_for_device().
 *
 * Context: st.lock held.
 * Return: 0 or -EIO on a mismatch.
 */
static int set_cmd_sync(void)
{
	struct device *dev = set_dev();
	struct set_buf *b;
	int ret = 0;
	u8 *view;

	list_for_each_entry(b, &st.held, node) {
		view = set_dev_view(dev, b->dma);
		if (set_dir_from_dev(b->dir)) {
			b->seed++;
			set_fill(view, b->size, b->seed, b->idx);
		}
		dma_sync_single_for_cpu(dev, b->dma, b->size, b->dir);
		if (set_dir_from_dev(b->dir) &&
		    !set_check("sync_for_cpu", b->cpu, b->size, b->seed, b->idx))
			ret = -EIO;
		if (set_dir_to_dev(b->dir)) {
			b->seed++;
			set_fill(b->cpu, b->size, b->seed, b->idx);
		}
		dma_sync_single_for_device(dev, b->dma, b->size, b->dir);
		if (set_dir_to_dev(b->dir) &&
		    !set_check("sync_for_device", view, b->size, b->seed,
			       b->idx))
			ret = -EIO;
		cond_resched();
	}
	return ret;
}

/**
 * set_cmd_unmap() - "unmap [N]": unmap and free held mappings
 * @n:		number of mappings to unmap, oldest first; ULONG_MAX for all
 *
 * For DMA_FROM_DEVICE and DMA_BIDIRECTIONAL the device writes a fresh
 * pattern first, which the CPU buffer must hold after dma_unmap_single().
 *
 * Context: st.lock held.
 * Return: 0 or -EIO on a mismatch; the mappings are unmapped and freed
 * anyway.
 */
static int set_cmd_unmap(unsigned long n)
{
	struct device *dev = set_dev();
	struct set_buf *b, *tmp;
	int ret = 0;

	list_for_each_entry_safe(b, tmp, &st.held, node) {
		if (!n--)
			break;
		if (set_dir_from_dev(b->dir)) {
			b->seed++;
			set_fill(set_dev_view(dev, b->dma), b->size, b->seed,
				 b->idx);
		}
		dma_unmap_single(dev, b->dma, b->size, b->dir);
		st.stats.unmaps++;
		if (set_dir_from_dev(b->dir) &&
		    !set_check("unmap", b->cpu, b->size, b->seed, b->idx))
			ret = -EIO;
		list_del(&b->node);
		st.nr_held--;
		set_free(b);
		cond_resched();
	}
	return ret;
}

/**
 * set_cmd_run() - "run N SIZE DIR": map, sync and unmap in one go
 * @n:		number of buffers
 * @size:	size of each buffer
 * @dir:	direction of the mappings
 *
 * Context: st.lock held.
 * Return: 0, -EBUSY if mappings are held, else the first error of the
 * map, sync and unmap steps.
 */
static int set_cmd_run(unsigned int n, size_t size,
		       enum dma_data_direction dir)
{
	int ret, ret2;

	if (st.nr_held)
		return -EBUSY;
	ret = set_cmd_map(n, size, dir);
	if (!ret)
		ret = set_cmd_sync();
	ret2 = set_cmd_unmap(ULONG_MAX);
	return ret ? ret : ret2;
}

/**
 * set_edu_xfer() - run one edu DMA transfer and wait for it
 * @regs:	BAR0 of the edu device
 * @src:	source address (bus address or edu buffer address)
 * @dst:	destination address (bus address or edu buffer address)
 * @len:	bytes to transfer
 * @to_ram:	transfer from the edu buffer to RAM
 *
 * Context: process context, may sleep.
 * Return: 0, -EBUSY if a transfer is running, -ETIMEDOUT.
 */
static int set_edu_xfer(void __iomem *regs, u64 src, u64 dst, u32 len,
			bool to_ram)
{
	unsigned long timeout;
	u32 cmd = EDU_DMA_CMD_START;

	if (readl(regs + EDU_REG_DMA_CMD) & EDU_DMA_CMD_START)
		return -EBUSY;
	if (to_ram)
		cmd |= EDU_DMA_CMD_TO_RAM;
	writeq(src, regs + EDU_REG_DMA_SRC);
	writeq(dst, regs + EDU_REG_DMA_DST);
	writeq(len, regs + EDU_REG_DMA_CNT);
	writeq(cmd, regs + EDU_REG_DMA_CMD);

	timeout = jiffies + msecs_to_jiffies(EDU_TIMEOUT_MS);
	while (readl(regs + EDU_REG_DMA_CMD) & EDU_DMA_CMD_START) {
		if (time_after(jiffies, timeout))
			return -ETIMEDOUT;
		fsleep(EDU_POLL_US);
	}
	return 0;
}

/**
 * set_edu_map() - map a buffer for the edu device and account it
 * @dev:	the edu device
 * @buf:	the buffer
 * @len:	its size
 * @dir:	direction
 * @dma:	returns the DMA address
 *
 * Context: st.lock held.
 * Return: 0 or -ENOMEM.
 */
static int set_edu_map(struct device *dev, void *buf, size_t len,
		       enum dma_data_direction dir, dma_addr_t *dma)
{
	*dma = dma_map_single(dev, buf, len, dir);
	if (dma_mapping_error(dev, *dma)) {
		st.stats.failed++;
		return -ENOMEM;
	}
	st.stats.maps++;
	if (set_is_bounced(dev, *dma, buf))
		st.stats.bounced++;
	return 0;
}

static void set_edu_unmap(struct device *dev, dma_addr_t dma, size_t len,
			  enum dma_data_direction dir)
{
	dma_unmap_single(dev, dma, len, dir);
	st.stats.unmaps++;
}

/**
 * set_cmd_edu() - "edu SIZE": DMA round trip through the edu device
 * @size:	bytes to transfer, 1..EDU_DMA_BUF_SIZE
 *
 * Buffer A holds a pattern and is mapped DMA_TO_DEVICE, buffer B is zeroed
 * and mapped DMA_FROM_DEVICE.  Chunk by chunk, the device copies A to its
 * buffer and its buffer to B; after unmapping, B must equal A.  Chunks are
 * needed because QEMU up to 7.2 rejects (and aborts on) a transfer that
 * ends at the last byte of the edu buffer.
 *
 * Context: st.lock held.
 * Return: 0, -ENODEV without a usable edu device, -ENOMEM, -ETIMEDOUT,
 * -EBUSY, or -EIO on a mismatch.
 */
static int set_cmd_edu(size_t size)
{
	dma_addr_t dma_a, dma_b;
	struct device *dev;
	size_t off, len;
	u8 *a, *b;
	int ret;
	u8 seed;

	if (!st.edu || st.edu_dead)
		return -ENODEV;
	dev = &st.edu->dev;

	a = kmalloc(EDU_DMA_BUF_SIZE, GFP_KERNEL);
	b = kzalloc(EDU_DMA_BUF_SIZE, GFP_KERNEL);
	if (!a || !b) {
		ret = -ENOMEM;
		goto out;
	}
	seed = st.seed;
	st.seed += 7;
	set_fill(a, size, seed, 0);

	ret = set_edu_map(dev, a, size, DMA_TO_DEVICE, &dma_a);
	if (ret)
		goto out;
	ret = set_edu_map(dev, b, size, DMA_FROM_DEVICE, &dma_b);
	if (ret)
		goto out_unmap_a;

	for (off = 0; off < size && !ret; off += len) {
		len = min_t(size_t, size - off, EDU_DMA_CHUNK);
		ret = set_edu_xfer(st.edu_regs, dma_a + off, EDU_DMA_BUF_ADDR,
				   len, false);
		if (!ret)
			ret = set_edu_xfer(st.edu_regs, EDU_DMA_BUF_ADDR,
					   dma_b + off, len, true);
	}
	if (ret == -ETIMEDOUT) {
		/*
		 * The device may still access the mappings: leave them mapped
		 * and the buffers allocated, and stop using the device.
		 */
		st.edu_dead = true;
		pci_err(st.edu, "DMA transfer timed out, device disabled for testing\n");
		return ret;
	}

	set_edu_unmap(dev, dma_b, size, DMA_FROM_DEVICE);
out_unmap_a:
	set_edu_unmap(dev, dma_a, size, DMA_TO_DEVICE);
	if (!ret && !set_check("edu", b, size, seed, 0))
		ret = -EIO;
out:
	kfree(b);
	kfree(a);
	return ret;
}

static int set_parse_dir(const char *s, enum dma_data_direction *dir)
{
	if (!strcmp(s, "to"))
		*dir = DMA_TO_DEVICE;
	else if (!strcmp(s, "from"))
		*dir = DMA_FROM_DEVICE;
	else if (!strcmp(s, "bidi"))
		*dir = DMA_BIDIRECTIONAL;
	else
		return -EINVAL;
	return 0;
}

static int set_parse_size(const char *s, unsigned long max, size_t *size)
{
	unsigned long val;

	if (kstrtoul(s, 0, &val) || !val || val > max)
		return -EINVAL;
	*size = val;
	return 0;
}

/**
 * set_cmd_exec() - parse and run one command
 * @argc:	number of words
 * @argv:	the words
 *
 * Context: st.lock held.
 * Return: 0, the command's error, or -EINVAL for a malformed command.
 */
static int set_cmd_exec(int argc, char **argv)
{
	enum dma_data_direction dir;
	unsigned int n;
	size_t size;

	if (argc == 1 && !strcmp(argv[0], "sync"))
		return set_cmd_sync();
	if (argc == 1 && !strcmp(argv[0], "unmap"))
		return set_cmd_unmap(ULONG_MAX);
	if (argc == 2 && !strcmp(argv[0], "unmap")) {
		if (kstrtouint(argv[1], 0, &n) || !n)
			return -EINVAL;
		return set_cmd_unmap(n);
	}
	if (argc == 2 && !strcmp(argv[0], "edu")) {
		if (set_parse_size(argv[1], EDU_DMA_BUF_SIZE, &size))
			return -EINVAL;
		return set_cmd_edu(size);
	}
	if (argc != 4 ||
	    (strcmp(argv[0], "map") && strcmp(argv[0], "run")) ||
	    kstrtouint(argv[1], 0, &n) || !n || n > SET_MAX_BUFS ||
	    set_parse_size(argv[2], SET_MAX_SIZE, &size) ||
	    set_parse_dir(argv[3], &dir))
		return -EINVAL;
	if (!strcmp(argv[0], "map"))
		return set_cmd_map(n, size, dir);
	return set_cmd_run(n, size, dir);
}

static ssize_t set_cmd_write(struct file *file, const char __user *ubuf,
			     size_t len, loff_t *ppos)
{
	char *kbuf, **argv;
	int argc, ret;

	if (!len || len > SET_CMD_MAX_LEN) {
		pr_warn_ratelimited("command of %zu bytes rejected\n", len);
		return -EINVAL;
	}
	kbuf = memdup_user_nul(ubuf, len);
	if (IS_ERR(kbuf))
		return PTR_ERR(kbuf);
	argv = argv_split(GFP_KERNEL, kbuf, &argc);
	if (!argv) {
		kfree(kbuf);
		return -ENOMEM;
	}

	ret = mutex_lock_interruptible(&st.lock);
	if (!ret) {
		ret = set_cmd_exec(argc, argv);
		mutex_unlock(&st.lock);
		/* Commands themselves never fail with -EINVAL. */
		if (ret == -EINVAL) {
			strim(kbuf);
			pr_warn_ratelimited("bad command \"%*pE\"\n",
					    (int)strlen(kbuf), kbuf);
		}
	}
	argv_free(argv);
	kfree(kbuf);
	return ret ? ret : len;
}

static const struct file_operations set_cmd_fops = {
	.owner = THIS_MODULE,
	.open = simple_open,
	.write = set_cmd_write,
	.llseek = noop_llseek,
};

static int set_mask_get(void *data, u64 *val)
{
	*val = fls64(dma_get_mask(set_dev()));
	return 0;
}

static int set_mask_set(void *data, u64 val)
{
	int ret;

	if (val < 1 || val > 64)
		return -EINVAL;
	ret = mutex_lock_interruptible(&st.lock);
	if (ret)
		return ret;
	ret = dma_set_mask_and_coherent(set_dev(), DMA_BIT_MASK(val));
	mutex_unlock(&st.lock);
	return ret ? -EINVAL : 0;
}

DEFINE_DEBUGFS_ATTRIBUTE(set_mask_fops, set_mask_get, set_mask_set, "%llu\n");

static int set_max_mapping_size_get(void *data, u64 *val)
{
	*val = dma_max_mapping_size(set_dev());
	return 0;
}

DEFINE_DEBUGFS_ATTRIBUTE(set_max_mapping_size_fops, set_max_mapping_size_get,
			 NULL, "%llu\n");

static int set_held_get(void *data, u64 *val)
{
	int ret;

	ret = mutex_lock_interruptible(&st.lock);
	if (ret)
		return ret;
	*val = st.nr_held;
	mutex_unlock(&st.lock);
	return 0;
}

DEFINE_DEBUGFS_ATTRIBUTE(set_held_fops, set_held_get, NULL, "%llu\n");

static int set_stats_show(struct seq_file *m, void *v)
{
	struct set_stats s;
	size_t i;
	int ret;

	ret = mutex_lock_interruptible(&st.lock);
	if (ret)
		return ret;
	s = st.stats;
	mutex_unlock(&st.lock);
	for (i = 0; i < ARRAY_SIZE(set_stats_fields); i++)
		seq_printf(m, "%s%s=%lu", i ? " " : "", set_stats_fields[i].name,
			   *set_stats_at(&s, i));
	seq_putc(m, '\n');
	return 0;
}

DEFINE_SHOW_ATTRIBUTE(set_stats);

static int set_edu_probe(struct pci_dev *pdev, const struct pci_device_id *id)
{
	void __iomem *regs;
	int ret;

	ret = pcim_enable_device(pdev);
	if (ret)
		return ret;
	regs = pcim_iomap_region(pdev, 0, SET_NAME);
	if (IS_ERR(regs))
		return PTR_ERR(regs);
	ret = dma_set_mask_and_coherent(&pdev->dev, DMA_BIT_MASK(32));
	if (ret)
		return ret;
	pci_set_master(pdev);

	mutex_lock(&st.lock);
	if (st.edu) {
		mutex_unlock(&st.lock);
		pci_info(pdev, "another edu device is already used\n");
		return -EBUSY;
	}
	st.edu = pdev;
	st.edu_regs = regs;
	st.edu_dead = false;
	mutex_unlock(&st.lock);
	pci_info(pdev, "edu device ready for DMA tests\n");
	return 0;
}

static void set_edu_remove(struct pci_dev *pdev)
{
	mutex_lock(&st.lock);
	if (st.edu == pdev) {
		st.edu = NULL;
		st.edu_regs = NULL;
	}
	mutex_unlock(&st.lock);
}

static const struct pci_device_id set_edu_ids[] = {
	{ PCI_DEVICE(EDU_VENDOR_ID, EDU_DEVICE_ID) },
	{ }
};
MODULE_DEVICE_TABLE(pci, set_edu_ids);

static struct pci_driver set_edu_driver = {
	.name = SET_NAME,
	.id_table = set_edu_ids,
	.probe = set_edu_probe,
	.remove = set_edu_remove,
};

static int __init set_init(void)
{
	const struct platform_device_info info = {
		.name = SET_NAME,
		.id = PLATFORM_DEVID_NONE,
		.dma_mask = DMA_BIT_MASK(64),
	};
	struct dentry *d;
	int ret;

	st.pdev = platform_device_register_full(&info);
	if (IS_ERR(st.pdev))
		return PTR_ERR(st.pdev);
	ret = dma_set_mask_and_coherent(set_dev(), DMA_BIT_MASK(64));
	if (ret)
		goto err_pdev;

	d = debugfs_create_dir(SET_NAME, NULL);
	if (IS_ERR(d)) {
		ret = PTR_ERR(d);
		goto err_pdev;
	}
	st.debugfs = d;
	debugfs_create_file_unsafe("mask", 0600, d, NULL, &set_mask_fops);
	debugfs_create_file_unsafe("max_mapping_size", 0400, d, NULL,
				   &set_max_mapping_size_fops);
	debugfs_create_file_unsafe("held", 0400, d, NULL, &set_held_fops);
	debugfs_create_file("stats", 0400, d, NULL, &set_stats_fops);
	debugfs_create_file("cmd", 0200, d, NULL, &set_cmd_fops);
	debugfs_create_u32("inject_corrupt", 0600, d, &st.inject_corrupt);

	ret = pci_register_driver(&set_edu_driver);
	if (ret)
		goto err_debugfs;
	return 0;

err_debugfs:
	debugfs_remove_recursive(st.debugfs);
err_pdev:
	platform_device_unregister(st.pdev);
	return ret;
}

static void __exit set_exit(void)
{
	pci_unregister_driver(&set_edu_driver);
	debugfs_remove_recursive(st.debugfs);
	mutex_lock(&st.lock);
	set_cmd_unmap(ULONG_MAX);
	mutex_unlock(&st.lock);
	platform_device_unregister(st.pdev);
}

module_init(set_init);
module_exit(set_exit);

MODULE_DESCRIPTION("Streaming DMA and swiotlb bounce buffer test driver");
MODULE_LICENSE("GPL");
