// SPDX-License-Identifier: MIT
/*
 * Find the rnpu function by its PCI ids, take it from any bound driver,
 * turn on memory decoding and bus mastering, and map BAR0.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "devtest.h"

static int read_hex(const char *dir, const char *file, uint32_t *v)
{
	char path[512], buf[64];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", dir, file);
	f = fopen(path, "r");
	if (!f)
		return -1;
	if (!fgets(buf, sizeof(buf), f)) {
		fclose(f);
		return -1;
	}
	fclose(f);
	*v = strtoul(buf, NULL, 16);
	return 0;
}

static int write_str(const char *path, const char *s)
{
	int fd = open(path, O_WRONLY);
	ssize_t n;

	if (fd < 0)
		return -1;
	n = write(fd, s, strlen(s));
	close(fd);
	return n == (ssize_t)strlen(s) ? 0 : -1;
}

static int find(struct dev *d)
{
	const char *base = "/sys/bus/pci/devices";
	struct dirent *e;
	DIR *dir = opendir(base);
	int found = -1;

	if (!dir)
		return -1;
	while ((e = readdir(dir))) {
		char path[300];
		uint32_t ven, dev;

		if (e->d_name[0] == '.')
			continue;
		snprintf(path, sizeof(path), "%s/%s", base, e->d_name);
		if (read_hex(path, "vendor", &ven) || read_hex(path, "device", &dev))
			continue;
		if (ven != RNPU_PCI_VENDOR_ID || dev != RNPU_PCI_DEVICE_ID)
			continue;
		snprintf(d->sysfs, sizeof(d->sysfs), "%s", path);
		snprintf(d->bdf, sizeof(d->bdf), "%s", e->d_name);
		read_hex(path, "class", &d->class_code);
		read_hex(path, "revision", &d->revision);
		found = 0;
		break;
	}
	closedir(dir);
	return found;
}

/* Memory space and bus master enable in the command register. */
static int enable(struct dev *d)
{
	char path[1024];
	uint16_t cmd;
	int fd, ret = -1;

	snprintf(path, sizeof(path), "%s/config", d->sysfs);
	fd = open(path, O_RDWR);
	if (fd < 0)
		return -1;
	if (pread(fd, &cmd, 2, 4) == 2) {
		cmd |= 0x2 | 0x4;
		if (pwrite(fd, &cmd, 2, 4) == 2)
			ret = 0;
	}
	close(fd);
	return ret;
}

int dev_open(struct dev *d)
{
	char path[1024], link[300];
	ssize_t n;
	void *m;
	int fd;

	memset(d, 0, sizeof(*d));
	if (find(d))
		return -1;

	snprintf(path, sizeof(path), "%s/driver", d->sysfs);
	n = readlink(path, link, sizeof(link) - 1);
	if (n > 0) {
		link[n] = 0;
		snprintf(d->driver, sizeof(d->driver), "%s", strrchr(link, '/') + 1);
		snprintf(path, sizeof(path), "%s/driver/unbind", d->sysfs);
		if (write_str(path, d->bdf))
			fprintf(stderr, "devtest: unbind %s: %s\n", d->driver, strerror(errno));
	}
	if (enable(d))
		return -1;
	snprintf(path, sizeof(path), "%s/resource0", d->sysfs);
	fd = open(path, O_RDWR | O_SYNC);
	if (fd < 0)
		return -1;
	m = mmap(NULL, RNPU_BAR0_SIZE, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	close(fd);
	if (m == MAP_FAILED)
		return -1;
	d->regs = m;
	return 0;
}

void dev_close(struct dev *d)
{
	char path[1024];

	if (d->regs)
		munmap((void *)d->regs, RNPU_BAR0_SIZE);
	d->regs = NULL;
	if (d->driver[0]) {
		snprintf(path, sizeof(path), "/sys/bus/pci/drivers/%s/bind", d->driver);
		if (write_str(path, d->bdf))
			fprintf(stderr, "devtest: rebind %s: %s\n", d->driver, strerror(errno));
	}
}

uint64_t rd64(const struct dev *d, uint32_t lo_off)
{
	uint32_t hi, lo;

	do {
		hi = rd(d, lo_off + 4);
		lo = rd(d, lo_off);
	} while (hi != rd(d, lo_off + 4));
	return (uint64_t)hi << 32 | lo;
}

void wr64(const struct dev *d, uint32_t lo_off, uint64_t v)
{
	wr(d, lo_off, (uint32_t)v);
	wr(d, lo_off + 4, (uint32_t)(v >> 32));
}

uint64_t counter(const struct dev *d, enum rnpu_counter c)
{
	/* LO latches the counter, so LO then HI is one consistent value. */
	uint32_t lo = rd(d, RNPU_CNT_LO(c));

	return (uint64_t)rd(d, RNPU_CNT_HI(c)) << 32 | lo;
}

/*
 * Hand the function to uio_pci_generic so a test can wait for INTx: the
 * kernel masks INTx in the command register when it fires (intx_unmask()
 * re-enables it) and counts it on /dev/uioN.  Returns an open /dev/uioN or -1.
 */
int uio_bind(struct dev *d)
{
	char path[1024], ids[32];
	struct dirent *e;
	DIR *dir;
	int fd = -1;

	snprintf(ids, sizeof(ids), "%04x %04x", RNPU_PCI_VENDOR_ID, RNPU_PCI_DEVICE_ID);
	if (write_str("/sys/bus/pci/drivers/uio_pci_generic/new_id", ids)) {
		/* Already known to the driver: bind explicitly. */
		write_str("/sys/bus/pci/drivers/uio_pci_generic/bind", d->bdf);
	}
	snprintf(path, sizeof(path), "%s/uio", d->sysfs);
	dir = opendir(path);
	if (!dir)
		return -1;
	while ((e = readdir(dir))) {
		if (strncmp(e->d_name, "uio", 3))
			continue;
		snprintf(path, sizeof(path), "/dev/%s", e->d_name);
		fd = open(path, O_RDWR);
		break;
	}
	closedir(dir);
	/* Binding re-enabled the device; make sure it may still master DMA. */
	if (fd >= 0 && enable(d)) {
		close(fd);
		fd = -1;
	}
	return fd;
}

/* uio_pci_generic masks INTx when it fires; clear PCI_COMMAND_INTX_DISABLE. */
int intx_unmask(const struct dev *d)
{
	char path[1024];
	uint16_t cmd;
	int fd, ret = -1;

	snprintf(path, sizeof(path), "%s/config", d->sysfs);
	fd = open(path, O_RDWR);
	if (fd < 0)
		return -1;
	if (pread(fd, &cmd, 2, 4) == 2) {
		cmd &= ~0x400;
		if (pwrite(fd, &cmd, 2, 4) == 2)
			ret = 0;
	}
	close(fd);
	return ret;
}

/* PCI_STATUS.INTERRUPT: the function is asserting INTx (masked or not). */
bool intx_asserted(const struct dev *d)
{
	char path[1024];
	uint16_t status = 0;
	int fd;

	snprintf(path, sizeof(path), "%s/config", d->sysfs);
	fd = open(path, O_RDONLY);
	if (fd < 0)
		return false;
	if (pread(fd, &status, 2, 6) != 2)
		status = 0;
	close(fd);
	return status & 0x8;
}

void uio_unbind(struct dev *d, int fd)
{
	char ids[32];

	if (fd >= 0)
		close(fd);
	write_str("/sys/bus/pci/drivers/uio_pci_generic/unbind", d->bdf);
	snprintf(ids, sizeof(ids), "%04x %04x", RNPU_PCI_VENDOR_ID, RNPU_PCI_DEVICE_ID);
	write_str("/sys/bus/pci/drivers/uio_pci_generic/remove_id", ids);
}
