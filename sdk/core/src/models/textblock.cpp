// SPDX-License-Identifier: MIT
#include "textblock_p.h"

#include <utility>

#if __has_include(<sys/mman.h>)
#include <sys/mman.h>
#endif

namespace Palaver {

namespace {
constexpr quintptr Page = 4096;

//! Asks the kernel for the pages of a fresh block at once, where it can (Linux 5.14+): one call
//! costs less than a page fault for each page touched. Nothing happens elsewhere, or when it
//! refuses.
void prefault(char *block, qsizetype size)
{
#if defined(MADV_POPULATE_WRITE)
    const auto start = reinterpret_cast<quintptr>(block);
    const quintptr first = (start + Page - 1) & ~(Page - 1);
    const quintptr last = (start + quintptr(size)) & ~(Page - 1);
    if (last > first)
        madvise(reinterpret_cast<void *>(first), last - first, MADV_POPULATE_WRITE);
#else
    Q_UNUSED(block);
    Q_UNUSED(size);
#endif
}

//! `size` bytes mapped at a multiple of `size` (a power of two), or null.
char *mapAligned(qsizetype size)
{
#if defined(MAP_ANONYMOUS) && defined(MADV_HUGEPAGE)
    // Map twice the size and give back what lies outside the aligned middle.
    const auto span = size_t(2 * size);
    void *raw = mmap(nullptr, span, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (raw == MAP_FAILED)
        return nullptr;
    const auto start = reinterpret_cast<quintptr>(raw);
    const quintptr aligned = (start + quintptr(size) - 1) & ~(quintptr(size) - 1);
    if (aligned > start)
        munmap(raw, aligned - start);
    const quintptr end = aligned + quintptr(size);
    if (start + span > end)
        munmap(reinterpret_cast<void *>(end), start + span - end);
    auto *block = reinterpret_cast<char *>(aligned);
    madvise(block, size_t(size), MADV_HUGEPAGE); // a hint: without it, ordinary pages
    return block;
#else
    Q_UNUSED(size);
    return nullptr;
#endif
}
} // namespace

TextBlock::TextBlock(qsizetype size) : m_size(size)
{
    if (size == Huge)
        m_data = mapAligned(size);
    m_mapped = m_data != nullptr;
    if (!m_mapped)
        m_data = new char[size_t(size)];
    if (size >= 65536) // a flood fills it within a few dozen messages
        prefault(m_data, size);
}

TextBlock::~TextBlock()
{
    release();
}

TextBlock::TextBlock(TextBlock &&other) noexcept
    : m_data(std::exchange(other.m_data, nullptr))
    , m_size(std::exchange(other.m_size, 0))
    , m_mapped(std::exchange(other.m_mapped, false))
{
}

TextBlock &TextBlock::operator=(TextBlock &&other) noexcept
{
    if (this != &other) {
        release();
        m_data = std::exchange(other.m_data, nullptr);
        m_size = std::exchange(other.m_size, 0);
        m_mapped = std::exchange(other.m_mapped, false);
    }
    return *this;
}

void TextBlock::release() noexcept
{
    if (!m_data)
        return;
#if defined(MAP_ANONYMOUS) && defined(MADV_HUGEPAGE)
    if (m_mapped) {
        munmap(m_data, size_t(m_size));
        m_data = nullptr;
        return;
    }
#endif
    delete[] m_data;
    m_data = nullptr;
}

} // namespace Palaver
